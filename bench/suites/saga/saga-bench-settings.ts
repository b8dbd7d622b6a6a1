import type { LoadCatalog } from '@orderly/load';

/** Every number of the saga suite, declared once; durations scale with BENCH_SCALE. */
export interface SagaBenchSettings {
  catalog: LoadCatalog;
  /** Units of the bench product: far more than any run orders (~10k). */
  benchProductStock: number;
  /** The services log only warnings: a JSON line per request would cost the 2 shared cores. */
  serviceLogLevel: string;
  warmup: { rate: number; durationMs: number };
  /**
   * Offered rates of the ramp (success orders only), each held `stepMs`; stops at the first step that
   * does not keep up, after one more step halfway between it and the last one that did.
   */
  rampRates: readonly number[];
  stepMs: number;
  /** A step keeps up when every order ended as expected and the last one ended within this of the last send. */
  keepUpDrainMs: number;
  /** Pause between steps, after the queues are empty (see quiet.ts; waiting at most `quietTimeoutMs`). */
  pauseMs: number;
  quietTimeoutMs: number;
  halfRateMs: number;
  /** Steps of the declined-orders ramp at most (it starts at the highest ramp rate ≤ half the sustained rate). */
  compensationSteps: number;
  /** A short run of the mixed paths at half rate, for the outcome counts. */
  mix: string;
  mixMs: number;
  mixMinOrders: number;
  settleTimeoutMs: number;
  maxInFlight: number;
}

export function sagaBenchSettings(scale: number): SagaBenchSettings {
  return {
    catalog: {
      stockedSku: 'BENCH-WIDGET',
      stockedPriceMinor: 1000,
      soldOutSku: 'POSTER-GONE',
      currency: 'EUR',
    },
    benchProductStock: 10_000_000,
    serviceLogLevel: 'warn',
    warmup: { rate: 20, durationMs: 5_000 * scale },
    rampRates: [10, 25, 50, 100, 150, 200, 300, 400, 500, 650, 800],
    stepMs: 6_000 * scale,
    keepUpDrainMs: 1_000,
    pauseMs: 1_000,
    quietTimeoutMs: 60_000,
    halfRateMs: 20_000 * scale,
    compensationSteps: 4,
    // 80/5/10/5 %, written so that every 20 orders hold the whole mix.
    mix: 'success=16,out-of-stock=1,declined=2,cancel=1',
    mixMs: 10_000 * scale,
    mixMinOrders: 40,
    settleTimeoutMs: 30_000,
    maxInFlight: 5_000,
  };
}
