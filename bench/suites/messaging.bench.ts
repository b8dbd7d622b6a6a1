import type { BenchVhost } from '../lib/bench-broker';
import { round, withRatios, type BenchSuite, type Figure, type Subject } from '../lib/bench-suite';
import { readBenchSettings } from '../lib/bench-settings';
import { mean, percentile, relativeSpread } from '../lib/percentile';
import { amqplibAdapter } from './messaging/amqplib';
import { amqplibCloudEventsAdapter } from './messaging/amqplib-cloudevents';
import { withBenchQueue } from './messaging/bench-queue';
import { calibrate } from './messaging/calibration';
import { golevelupAdapter } from './messaging/golevelup';
import {
  measureConsume,
  measureLatency,
  measurePublish,
  type MeasureOptions,
} from './messaging/measurements';
import {
  SubjectUnavailableError,
  type AdapterOptions,
  type MessagingAdapter,
} from './messaging/messaging-adapter';
import { messagingSettings, type MessagingSettings } from './messaging/messaging-settings';
import { nestRmqAdapter } from './messaging/nest-rmq';
import { orderlyAdapter } from './messaging/orderly';

const BASELINE: Subject = 'amqplib';
const PEERS = [orderlyAdapter, amqplibCloudEventsAdapter, nestRmqAdapter, golevelupAdapter];

/** What one subject measured over all rounds. */
interface SubjectRecord {
  adapter: MessagingAdapter;
  publishPerS: number[];
  consumePerS: number[];
  latenciesMs: number[];
  /** Acknowledged deliveries the broker put back when the consumer closed (see measureConsume). */
  returnedOnClose: number;
}

/**
 * 1 KB persistent messages on a quorum queue, one broker, one run: confirmed-publish and consume+ack
 * throughput, and end-to-end latency at a fixed rate, of raw amqplib (the ceiling), Nest's Transport.RMQ,
 * @golevelup/nestjs-rabbitmq and Orderly's transport; and raw amqplib sending Orderly's own messages
 * (CloudEvents headers, topic exchange), which splits the gap to the ceiling into the transport's cost
 * and the envelope's. Subjects take turns, in alternating order, round after round, so a slow minute of
 * the machine does not land on one subject only.
 */
export const suite: BenchSuite = {
  name: 'messaging',
  description:
    'confirmed publish, consume+ack and e2e latency: orderly vs amqplib (bare and with the same messages), nest-rmq, golevelup',
  async run({ broker, log }) {
    const settings = messagingSettings(readBenchSettings());
    log(
      `${settings.throughputMessages} messages of ${settings.messageBytes} B per subject and round, ${settings.rounds} rounds, ` +
        `window ${settings.publishWindow}, prefetch ${settings.prefetch}; ` +
        `latency at ${settings.latencyRatePerS} msg/s for ${settings.latencySeconds} s per subject`,
    );
    const vhost = await broker.createVhost('bench-messaging');
    try {
      const adapterOptions: AdapterOptions = {
        amqpUrl: vhost.amqpUrl,
        prefetch: settings.prefetch,
        noDelay: settings.noDelay,
      };
      const measure: MeasureOptions = {
        vhost,
        messageBytes: settings.messageBytes,
        publishWindow: settings.publishWindow,
        drainTimeoutMs: settings.drainTimeoutMs,
      };
      const amqplib = amqplibAdapter(adapterOptions);
      const skipped: Partial<Record<Subject, string>> = {};
      const adapters = [
        amqplib,
        ...PEERS.flatMap((create) => available(create, adapterOptions, skipped, log)),
      ];
      const queues = queueNames(vhost);

      log('warm-up:');
      for (const adapter of adapters) {
        await queues.use(adapter.subject, async (queue) => {
          await measurePublish(adapter, queue, settings.warmupMessages, measure);
          await measureConsume(adapter, queue, settings.warmupMessages, measure);
        });
        log(`  ${adapter.subject} ✓`);
      }

      log('calibration (raw amqplib):');
      const calibration = await calibrate(amqplib, settings.calibration, measure, log);
      log(
        `  → ${Math.round(calibration.publishPerS)} msg/s (usual here: about ${calibration.expectedPerS}), ` +
          `spread ${Math.round(calibration.spread * 100)}%`,
      );
      for (const warning of calibration.warnings) log(`  ⚠ ${warning}`);

      const records = await runRounds(adapters, settings, measure, queues, log);
      const drift = roundsDrift(records, settings.calibration.maxSpread);
      if (drift) log(`⚠ ${drift}`);
      if (!calibration.trustworthy || drift)
        log('\n⚠ machine too noisy to trust: read the figures below as rough only');
      const figures = withRatios(records.flatMap(figuresOf), BASELINE);
      const sameMessage = sameMessageRatios(figures);
      if (sameMessage) {
        log(
          `orderly ÷ amqplib sending the same CloudEvents messages to the same topic exchange: ` +
            `publish ${sameMessage.publish_confirmed_per_s}×, consume ${sameMessage.consume_ack_per_s}×`,
        );
      }
      return {
        figures,
        details: {
          sameMessageRatios: sameMessage ?? null,
          calibration: { ...calibration, drift: drift ?? null },
          settings,
          rounds: Object.fromEntries(
            records.map((r) => [
              r.adapter.subject,
              {
                publishPerS: r.publishPerS.map(Math.round),
                consumePerS: r.consumePerS.map(Math.round),
                returnedOnClose: r.returnedOnClose,
              },
            ]),
          ),
          guarantees: Object.fromEntries(adapters.map((a) => [a.subject, a.guarantees])),
          skipped,
        },
      };
    } finally {
      await vhost.dispose();
    }
  },
};

/**
 * Each round, every subject in turn: publish `throughputMessages` into a fresh queue, drain it, then
 * fixed-rate traffic on another fresh queue. Odd rounds run the subjects in reverse order.
 */
async function runRounds(
  adapters: MessagingAdapter[],
  settings: MessagingSettings,
  measure: MeasureOptions,
  queues: ReturnType<typeof queueNames>,
  log: (line: string) => void,
): Promise<SubjectRecord[]> {
  const records: SubjectRecord[] = adapters.map((adapter) => ({
    adapter,
    publishPerS: [],
    consumePerS: [],
    latenciesMs: [],
    returnedOnClose: 0,
  }));
  const latencyPlan = {
    ratePerS: settings.latencyRatePerS,
    durationMs: (settings.latencySeconds * 1000) / settings.rounds,
  };
  for (let round = 0; round < settings.rounds; round++) {
    log(`round ${round + 1}/${settings.rounds}:`);
    for (const record of round % 2 === 0 ? records : [...records].reverse()) {
      const { adapter } = record;
      const [publishPerS, consumed] = await queues.use(adapter.subject, async (queue) => {
        const published = await measurePublish(adapter, queue, settings.throughputMessages, measure);
        return [
          published,
          await measureConsume(adapter, queue, settings.throughputMessages, measure),
        ] as const;
      });
      const latencies = await queues.use(adapter.subject, (queue) =>
        measureLatency(adapter, queue, latencyPlan, measure),
      );
      record.publishPerS.push(publishPerS);
      record.consumePerS.push(consumed.perSecond);
      record.latenciesMs.push(...latencies);
      record.returnedOnClose += consumed.returnedOnClose;
      log(
        `  ${adapter.subject.padEnd(10)} publish ${Math.round(publishPerS)} msg/s, consume ${Math.round(consumed.perSecond)} msg/s, ` +
          `latency p50 ${percentile(latencies, 50).toFixed(2)} ms, p99 ${percentile(latencies, 99).toFixed(2)} ms` +
          (consumed.returnedOnClose > 0
            ? ` (${consumed.returnedOnClose} acked messages came back on close)`
            : ''),
      );
    }
  }
  return records;
}

/** Throughputs are the mean over rounds; latency percentiles are over every sample of every round. */
function figuresOf({ adapter: { subject }, publishPerS, consumePerS, latenciesMs }: SubjectRecord): Figure[] {
  return [
    { metric: 'publish_confirmed_per_s', subject, value: Math.round(mean(publishPerS)), unit: 'msg/s' },
    { metric: 'consume_ack_per_s', subject, value: Math.round(mean(consumePerS)), unit: 'msg/s' },
    { metric: 'e2e_p50_ms', subject, value: round(percentile(latenciesMs, 50), 2), unit: 'ms' },
    { metric: 'e2e_p99_ms', subject, value: round(percentile(latenciesMs, 99), 2), unit: 'ms' },
  ];
}

/**
 * Orderly's throughputs over raw amqplib's with the same wire messages and route: what the transport
 * itself costs, apart from the envelope and topic routing that bare amqplib does not carry.
 */
function sameMessageRatios(figures: Figure[]): Record<string, number> | undefined {
  const ratios: Record<string, number> = {};
  for (const metric of ['publish_confirmed_per_s', 'consume_ack_per_s']) {
    const ours = figures.find((f) => f.subject === 'orderly' && f.metric === metric);
    const raw = figures.find((f) => f.subject === 'amqplib-cloudevents' && f.metric === metric);
    if (!ours || !raw || raw.value === 0) return undefined;
    ratios[metric] = round(ours.value / raw.value, 3);
  }
  return ratios;
}

/**
 * The calibration only vouches for the minute before the comparison. Every subject runs again in every
 * round, so a subject whose rounds differ by more than `maxSpread` was measured while the machine was
 * busier at some point: its figures are named here.
 */
function roundsDrift(records: SubjectRecord[], maxSpread: number): string | undefined {
  if (records.some((r) => r.publishPerS.length < 2)) return undefined;
  const drifting = records.flatMap((r) => {
    const spread = Math.max(relativeSpread(r.publishPerS), relativeSpread(r.consumePerS));
    return spread > maxSpread ? [`${r.adapter.subject} ${Math.round(spread * 100)}%`] : [];
  });
  if (drifting.length === 0) return undefined;
  return (
    `throughput varied between rounds by more than ${Math.round(maxSpread * 100)}% (${drifting.join(', ')}): ` +
    'the machine got busier during the comparison'
  );
}

function available(
  create: (options: AdapterOptions) => MessagingAdapter,
  options: AdapterOptions,
  skipped: Partial<Record<Subject, string>>,
  log: (line: string) => void,
): MessagingAdapter[] {
  try {
    return [create(options)];
  } catch (error) {
    if (!(error instanceof SubjectUnavailableError)) throw error;
    skipped[error.subject] = error.message;
    log(`⚠ skipped: ${error.message}`);
    return [];
  }
}

/** Fresh, numbered queue names (`orderly-7`), each deleted after use. */
function queueNames(vhost: BenchVhost) {
  let seq = 0;
  return {
    use: <T>(subject: Subject, use: (queue: string) => Promise<T>): Promise<T> =>
      withBenchQueue(vhost, `${subject}-${++seq}`, use),
  };
}
