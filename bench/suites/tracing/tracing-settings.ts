import type { BenchSettings } from '../../lib/bench-settings';

/** Every number of the tracing suite, declared once (`BENCH_SCALE` stretches the durations). */
export function tracingSettings({ scale }: BenchSettings, env: NodeJS.ProcessEnv = process.env) {
  return {
    /**
     * `OTEL_NODE_DISABLED_INSTRUMENTATIONS` of the traced side (BENCH_TRACING_DISABLED_INSTRUMENTATIONS,
     * e.g. `pg`): what tracing costs without SQL spans. Empty: every instrumentation, the default.
     */
    disabledInstrumentations: env['BENCH_TRACING_DISABLED_INSTRUMENTATIONS'] ?? '',
    /** Rounds of measurement, each with a fresh pair of services (medians over rounds are reported). */
    rounds: 3,
    /** Requests sent before measuring, so that swc compilation, JIT and the pg pool are warm. */
    warmupRequests: 300,
    /** Closed loop: requests in flight at once while measuring throughput (half to each service). */
    concurrency: 16,
    throughputSeconds: Math.max(2, 5 * scale),
    /** Open loop, per service: a steady rate well below saturation, where latency is the service's own. */
    latencyRatePerS: 50,
    latencySeconds: Math.max(2, 5 * scale),
    /** Publish/consume part: rounds, each with a fresh pair of messaging services. */
    messagingRounds: 3,
    /** Seconds of closed-loop messages before measuring (JIT, channels, quorum queue warm). */
    messagingWarmupSeconds: 2,
    /** Messages on the way at once per service (each published, confirmed and handled before the next). */
    messagingConcurrency: 32,
    messagingThroughputSeconds: Math.max(2, 5 * scale),
    /** Open loop, per service: messages started per second, well below saturation. */
    messagingLatencyRatePerS: 200,
    messagingLatencySeconds: Math.max(2, 5 * scale),
    /** Saga part: rounds over the same two stacks (tracing off, on), each loaded at this rate at once. */
    sagaRounds: 3,
    /** Success orders per second and stack: both stacks together stay well below what the machine sustains. */
    sagaRatePerS: 2,
    sagaWarmupSeconds: Math.max(5, 10 * scale),
    sagaSeconds: Math.max(5, 15 * scale),
  };
}

export type TracingSettings = ReturnType<typeof tracingSettings>;
