/**
 * An open-loop schedule: order i is due at i / rate seconds after the start, whatever happened to the
 * orders before it. Latencies are measured from this due time, not from when the request actually
 * left, so a generator (or a service) that falls behind shows up in the figures instead of silently
 * lowering the offered rate (coordinated omission).
 */
export interface OpenLoopSchedule {
  rate: number;
  durationMs: number;
  /** Orders in the whole run: rate × duration, rounded down (at least one). */
  count: number;
}

export function openLoopSchedule(rate: number, durationMs: number): OpenLoopSchedule {
  if (!Number.isFinite(rate) || rate <= 0) throw new RangeError(`rate must be > 0 orders/s, got ${rate}`);
  if (!Number.isFinite(durationMs) || durationMs <= 0)
    throw new RangeError(`duration must be > 0 ms, got ${durationMs}`);
  return { rate, durationMs, count: Math.max(1, Math.floor((rate * durationMs) / 1000)) };
}

/** Milliseconds after the start at which order `index` (0-based) is due. */
export function dueAtMs(schedule: OpenLoopSchedule, index: number): number {
  return (index * 1000) / schedule.rate;
}

/** How many orders are due `elapsedMs` after the start (order 0 is due at once). */
export function dueCount(schedule: OpenLoopSchedule, elapsedMs: number): number {
  if (elapsedMs < 0) return 0;
  return Math.min(schedule.count, Math.floor((elapsedMs * schedule.rate) / 1000) + 1);
}
