/**
 * Nearest-rank percentile (p in 0..100) of unsorted samples: always one of the samples, never an
 * interpolation, so "p99 = 4.1 ms" means a message really took 4.1 ms.
 */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new RangeError('percentile of no samples');
  if (p < 0 || p > 100) throw new RangeError(`percentile must be within 0..100, got ${p}`);
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

export function median(samples: readonly number[]): number {
  return percentile(samples, 50);
}

export function mean(samples: readonly number[]): number {
  if (samples.length === 0) throw new RangeError('mean of no samples');
  return samples.reduce((sum, x) => sum + x, 0) / samples.length;
}

/** (max − min) / median: how far apart repeated measurements of the same thing landed. */
export function relativeSpread(samples: readonly number[]): number {
  return (Math.max(...samples) - Math.min(...samples)) / median(samples);
}
