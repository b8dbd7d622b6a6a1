import { percentileOfSorted, summarize } from './stats';

describe('percentiles', () => {
  it('are nearest-rank: always one of the samples', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentileOfSorted(sorted, 50)).toBe(50);
    expect(percentileOfSorted(sorted, 99)).toBe(99);
    expect(percentileOfSorted(sorted, 100)).toBe(100);
    expect(percentileOfSorted(sorted, 0)).toBe(1);
    expect(percentileOfSorted([7], 99)).toBe(7);
    expect(percentileOfSorted([1, 2, 3], 50)).toBe(2);
  });

  it('refuses no samples and a p outside 0..100', () => {
    expect(() => percentileOfSorted([], 50)).toThrow('no samples');
    expect(() => percentileOfSorted([1], 101)).toThrow('within 0..100');
  });

  it('summarize sorts numerically (not as text) and rounds to 0.01 ms', () => {
    expect(summarize([100, 9, 20, 3.14159])).toEqual({
      count: 4,
      p50: 9,
      p90: 100,
      p99: 100,
      max: 100,
      mean: 33.04,
    });
    expect(summarize([])).toBeUndefined();
  });
});
