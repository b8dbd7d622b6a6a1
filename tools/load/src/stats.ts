/** A latency summary in milliseconds; percentiles are nearest-rank (always one of the samples). */
export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile (p in 0..100) of samples sorted ascending. */
export function percentileOfSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new RangeError('percentile of no samples');
  if (p < 0 || p > 100) throw new RangeError(`percentile must be within 0..100, got ${p}`);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

export function summarize(samples: readonly number[]): LatencySummary | undefined {
  if (samples.length === 0) return undefined;
  const sorted = Float64Array.from(samples).sort();
  const list = Array.from(sorted);
  return {
    count: list.length,
    p50: round(percentileOfSorted(list, 50)),
    p90: round(percentileOfSorted(list, 90)),
    p99: round(percentileOfSorted(list, 99)),
    max: round(list[list.length - 1]),
    mean: round(list.reduce((sum, x) => sum + x, 0) / list.length),
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
