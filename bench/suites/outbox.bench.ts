import { OutboxDefaults } from '@orderly/outbox';
import { round, withRatios, type BenchSuite, type Figure } from '../lib/bench-suite';
import { readBenchSettings } from '../lib/bench-settings';
import { mean } from '../lib/percentile';
import { startBenchDatabase } from './outbox/bench-database';
import { BrokerAdmin } from './outbox/broker-admin';
import { measureDrain, measureRawPublish, type DrainRun } from './outbox/drain';
import { measureLatency, type LatencyRun } from './outbox/latency';
import { describeLoad, machineLoad, type MachineLoad } from './outbox/machine-load';
import { outboxBenchSettings } from './outbox/outbox-bench-settings';

/**
 * libs/outbox on a durable PostgreSQL and the bench broker: how fast the relay drains a backlog
 * (compared, on the same messages, with raw amqplib publishing with confirms), and the latency from a
 * writer's commit to the broker's confirm at fixed commit rates, with the relay's default settings.
 */
export const suite: BenchSuite = {
  name: 'outbox',
  description: 'relay drain vs raw confirmed publish of the same messages; commit-to-confirm latency at 1k and 5k commits/s',
  async run({ broker, log }) {
    const settings = outboxBenchSettings(readBenchSettings());
    const vhost = await broker.createVhost('bench-outbox');
    const database = await startBenchDatabase(log);
    const admin = await BrokerAdmin.open(vhost);
    let queues = 0;
    const withQueue = async <T>(use: (queue: string) => Promise<T>): Promise<T> => {
      const queue = `outbox-${++queues}`;
      await admin.boundQueue(queue);
      try {
        return await use(queue);
      } finally {
        await admin.deleteQueue(queue);
      }
    };
    try {
      const loadAtStart = machineLoad();
      log(`machine before the suite: ${describeLoad(loadAtStart)}`);
      log(
        `drain: ${settings.drainMessages} rows of ~${settings.messageBytes} B, ${settings.rounds} rounds; ` +
          `latency: ${settings.latencyRates.join(' and ')} commits/s for ${settings.latencySeconds} s each; ` +
          `relay defaults (batch ${OutboxDefaults.batchSize}, ${OutboxDefaults.workers} workers, poll ${OutboxDefaults.pollIntervalMs} ms)`,
      );
      log('warm-up:');
      await withQueue(() => measureDrain(vhost.amqpUrl, database, settings, settings.warmupMessages));
      log('  ✓');

      const drains: Array<DrainRun & { rawPerS: number; load: MachineLoad }> = [];
      for (let round = 1; round <= settings.rounds; round++) {
        // The relay publishes into one queue; the same messages, taken out of it, are then published
        // by raw amqplib into a fresh one (the first is gone by then: each message is routed once).
        const { run, published } = await withQueue(async (queue) => {
          const drained = await measureDrain(vhost.amqpUrl, database, settings, settings.drainMessages);
          return { run: drained, published: await admin.take(queue, drained.messages, settings.drainTimeoutMs) };
        });
        const rawPerS = await withQueue(() => measureRawPublish(admin, published, settings.rawPublishWindow));
        const drain = { ...run, rawPerS, load: machineLoad() };
        drains.push(drain);
        log(
          `  round ${round}: relay drained ${drain.messages} in ${drain.drainSeconds.toFixed(1)} s = ${Math.round(drain.relayPerS)} msg/s ` +
            `(prefill ${drain.prefillSeconds.toFixed(1)} s); raw amqplib ${Math.round(drain.rawPerS)} msg/s; ${describeLoad(drain.load)}`,
        );
      }

      const variants: Array<{ name: string; relayPerS: number; load: MachineLoad }> = [];
      for (const variant of settings.drainVariants) {
        const run = await withQueue(() => measureDrain(vhost.amqpUrl, database, settings, settings.drainMessages, variant.relay));
        variants.push({ name: variant.name, relayPerS: Math.round(run.relayPerS), load: machineLoad() });
        log(`  variant ${variant.name}: ${Math.round(run.relayPerS)} msg/s; ${describeLoad(machineLoad())}`);
      }

      const latencies: Array<LatencyRun & { load: MachineLoad }> = [];
      for (const rate of settings.latencyRates) {
        const run = { ...(await withQueue(() => measureLatency(vhost.amqpUrl, database, settings, rate, true))), load: machineLoad() };
        latencies.push(run);
        log(`${describeLatency(run)}; ${describeLoad(run.load)}`);
      }
      // The cost of NOTIFY (a database-wide lock at every notifying commit): the fastest rate again without it.
      const topRate = Math.max(...settings.latencyRates);
      const withoutNotify = { ...(await withQueue(() => measureLatency(vhost.amqpUrl, database, settings, topRate, false))), load: machineLoad() };
      log(`${describeLatency(withoutNotify)} (writers without NOTIFY: the relay polls); ${describeLoad(withoutNotify.load)}`);

      const at = (rate: number) => latencies.find((run) => run.ratePerS === rate) as LatencyRun & { load: MachineLoad };
      const figures: Figure[] = [
        { metric: 'relay_drain_per_s', subject: 'orderly', value: Math.round(mean(drains.map((d) => d.relayPerS))), unit: 'msg/s' },
        { metric: 'relay_drain_per_s', subject: 'amqplib', value: Math.round(mean(drains.map((d) => d.rawPerS))), unit: 'msg/s' },
        { metric: 'commit_to_confirm_p50_ms_at_1k', subject: 'orderly', value: round(at(1_000).commitToConfirmMs.p50, 2), unit: 'ms' },
        { metric: 'commit_to_confirm_p99_ms_at_1k', subject: 'orderly', value: round(at(1_000).commitToConfirmMs.p99, 2), unit: 'ms' },
        { metric: 'commit_to_confirm_max_ms_at_1k', subject: 'orderly', value: round(at(1_000).commitToConfirmMs.max, 2), unit: 'ms' },
        { metric: 'commit_to_confirm_p99_ms_at_5k', subject: 'orderly', value: round(at(5_000).commitToConfirmMs.p99, 2), unit: 'ms' },
      ];
      return {
        figures: withRatios(figures, 'amqplib'),
        details: {
          targets: {
            relay_drain_per_s: '>= 10000',
            commit_to_confirm_p99_ms_at_1k: '<= 25',
            commit_to_confirm_max_ms_at_1k: '<= 100',
            commit_to_confirm_p99_ms_at_5k: '<= 50',
          },
          loadAtStart,
          settings,
          relay: OutboxDefaults,
          postgres: database.settings,
          drains,
          variants,
          latencies: latencies.map(roundLatency),
          notifyCost: { withNotify: roundLatency(at(topRate)), withoutNotify: roundLatency(withoutNotify) },
        },
      };
    } finally {
      await admin.close();
      await database.stop();
      await vhost.dispose();
    }
  },
};

function describeLatency(run: LatencyRun): string {
  const c = run.commitToConfirmMs;
  return (
    `  ${run.ratePerS} commits/s${run.notify ? '' : ' (no NOTIFY)'}: commit-to-confirm p50 ${c.p50.toFixed(2)} ms, p99 ${c.p99.toFixed(2)} ms, ` +
    `max ${c.max.toFixed(1)} ms (${c.samples} samples); commit p50 ${run.commitMs.p50.toFixed(2)} ms, p99 ${run.commitMs.p99.toFixed(2)} ms; ` +
    `achieved ${Math.round(run.achievedPerS)} commits/s, ${run.late} late, ${run.failed} failed; ` +
    `database sessions waiting on ${Object.entries(run.databaseWaits).slice(0, 3).map(([wait, pct]) => `${wait} ${pct}%`).join(', ')}`
  );
}

function roundLatency(run: LatencyRun & { load: MachineLoad }) {
  const r = (x: number) => round(x, 2);
  return {
    ...run,
    achievedPerS: Math.round(run.achievedPerS),
    commitToConfirmMs: { p50: r(run.commitToConfirmMs.p50), p99: r(run.commitToConfirmMs.p99), max: r(run.commitToConfirmMs.max), samples: run.commitToConfirmMs.samples },
    commitMs: { p50: r(run.commitMs.p50), p99: r(run.commitMs.p99), max: r(run.commitMs.max) },
  };
}
