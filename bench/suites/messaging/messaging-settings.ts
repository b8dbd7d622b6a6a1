import { positiveNumber, type BenchSettings } from '../../lib/bench-settings';

/**
 * The numbers of the messaging suite, declared once. Message counts and the latency duration scale with
 * BENCH_SCALE; the rest is what makes the comparison fair and is the same for every subject.
 */
export interface MessagingSettings {
  /** Messages published (and then consumed) per subject per round. 20k × BENCH_SCALE. */
  throughputMessages: number;
  /** Published and consumed once per subject before anything is measured (JIT, connections, queues). */
  warmupMessages: number;
  /** Throughput and latency are measured in this many rounds; the order of subjects alternates. BENCH_ROUNDS. */
  rounds: number;
  /** Publishes awaiting a broker confirm at once, for every subject. */
  publishWindow: number;
  /** Unacknowledged deliveries per consumer (basic.qos), for every subject. */
  prefetch: number;
  /** TCP_NODELAY for every subject's connections (see AdapterOptions.noDelay). */
  noDelay: boolean;
  /** Size of the JSON body we hand each library (its own envelope comes on top). */
  messageBytes: number;
  /** Fixed publish rate of the latency measurement. */
  latencyRatePerS: number;
  /** Seconds of fixed-rate traffic per subject, split over the rounds. 10 × BENCH_SCALE, at least 2. */
  latencySeconds: number;
  /** How long a consumer may take to receive what was published before the run fails. */
  drainTimeoutMs: number;
  calibration: CalibrationSettings;
}

export interface CalibrationSettings {
  runs: number;
  messages: number;
  /** What raw amqplib (window 500, prefetch 500) publishes with confirms on the 2-core dev machine. */
  expectedPerS: number;
  /** Below this share of `expectedPerS` the machine is too busy or too slow to compare anything. */
  minShare: number;
  /** Above this spread between calibration runs ((max − min) / median) the figures are noise. */
  maxSpread: number;
}

export function messagingSettings(
  bench: BenchSettings,
  env: NodeJS.ProcessEnv = process.env,
): MessagingSettings {
  const scaled = (count: number) => Math.max(100, Math.round(count * bench.scale));
  return {
    throughputMessages: scaled(20_000),
    warmupMessages: scaled(2_000),
    rounds: Math.round(positiveNumber(env, 'BENCH_ROUNDS', 2)),
    publishWindow: 500,
    prefetch: 500,
    noDelay: true,
    messageBytes: 1024,
    latencyRatePerS: 1_000,
    latencySeconds: Math.max(2, 10 * bench.scale),
    drainTimeoutMs: 120_000,
    calibration: { runs: 3, messages: scaled(10_000), expectedPerS: 15_000, minShare: 0.6, maxSpread: 0.2 },
  };
}
