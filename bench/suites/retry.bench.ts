import { round, type BenchSuite, type Figure } from '../lib/bench-suite';
import { readBenchSettings } from '../lib/bench-settings';
import { mean } from '../lib/percentile';
import { startBenchDatabase } from './outbox/bench-database';
import { describeLoad, machineLoad, type MachineLoad } from './outbox/machine-load';
import { retryBenchSettings } from './retry/retry-bench-settings';
import { measureGoodput, provisionRetryBench, retryBenchTopology, type GoodputRun } from './retry/retry-consumer';

/**
 * One consumer process (AmqpServer + @Idempotent handler writing one row per message in the inbox's
 * transaction, on a durable PostgreSQL): its goodput — messages handled successfully per second —
 * when every message succeeds, and when 10% fail their first handling and go through the retry ladder.
 */
export const suite: BenchSuite = {
  name: 'retry',
  description: 'consumer goodput with the inbox on: 0% vs 10% of messages failing once (retried through a delay tier)',
  async run({ broker, log }) {
    const settings = retryBenchSettings(readBenchSettings());
    const vhost = await broker.createVhost('bench-retry');
    const database = await startBenchDatabase(log);
    const reset = async () => {
      await database.reset();
      await database.query('TRUNCATE "order" CASCADE');
    };
    const failEvery = Math.round(1 / settings.failingShare);
    try {
      await provisionRetryBench(vhost.amqpUrl, retryBenchTopology(settings));
      log(
        `${settings.messages} messages of ~${settings.messageBytes} B per measurement, ${settings.rounds} rounds, prefetch ${settings.prefetch}, ` +
          `${settings.databasePoolSize} database connections, ` +
          `ladder ${settings.retry.delaysMs.join('/')} ms; machine: ${describeLoad(machineLoad())}`,
      );
      log('warm-up:');
      await reset();
      await measureGoodput(vhost.amqpUrl, database.url, settings, settings.warmupMessages, failEvery);
      log('  ✓');

      const runs: Array<GoodputRun & { round: number; load: MachineLoad }> = [];
      for (let round = 1; round <= settings.rounds; round++) {
        const order = round % 2 === 1 ? [0, failEvery] : [failEvery, 0];
        for (const every of order) {
          await reset();
          const run = await measureGoodput(vhost.amqpUrl, database.url, settings, settings.messages, every);
          const load = machineLoad();
          runs.push({ ...run, round, load });
          log(
            `  round ${round}, ${run.failingPct}% failing once: ${Math.round(run.goodputPerS)} msg/s ` +
              `(${run.messages} in ${run.seconds.toFixed(2)} s; ${run.failedHandlings} failed handlings, ${run.retried} retries, ` +
              `${run.deadLettered} dead letters); ${describeLoad(load)}`,
          );
        }
      }
      const goodput = (pct: number) => Math.round(mean(runs.filter((r) => r.failingPct === pct).map((r) => r.goodputPerS)));
      const clean = goodput(0);
      const failing = goodput(Math.round(100 / failEvery));
      const figures: Figure[] = [
        { metric: 'goodput_0pct_fail_per_s', subject: 'orderly', value: clean, unit: 'msg/s' },
        { metric: 'goodput_10pct_fail_per_s', subject: 'orderly', value: failing, unit: 'msg/s', ratio: round(failing / clean, 3) },
      ];
      return {
        figures,
        details: {
          targets: { goodput_10pct_fail_per_s: '>= 2500 per consumer process' },
          note: 'ratio of goodput_10pct_fail_per_s = 10% failing ÷ 0% failing, same run',
          settings,
          postgres: database.settings,
          runs: runs.map((r) => ({ ...r, seconds: round(r.seconds, 3), goodputPerS: Math.round(r.goodputPerS) })),
        },
      };
    } finally {
      await database.stop();
      await vhost.dispose();
    }
  },
};
