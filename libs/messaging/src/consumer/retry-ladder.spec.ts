import { jitteredDelay, planFailure } from './retry-ladder';
import type { HandlingFailure } from './handling-failure';

const retryable: HandlingFailure = { retryable: true, type: 'Error', message: 'database timeout' };
const final: HandlingFailure = { retryable: false, type: 'NonRetryableMessageError', message: 'unknown order' };
const tiers = [
  { queue: 'q.retry.1s', delayMs: 1_000 },
  { queue: 'q.retry.5s', delayMs: 5_000 },
];

describe('the retry ladder', () => {
  it('sends attempt n’s failure to tier n, and repeats the last tier while attempts remain', () => {
    const ladder = { tiers, maxAttempts: 5 };
    const tierOf = (attempt: number) => {
      const plan = planFailure(retryable, attempt, ladder, 0);
      return plan.outcome === 'retry' ? plan.tier.queue : plan.outcome;
    };
    expect([1, 2, 3, 4, 5].map(tierOf)).toEqual(['q.retry.1s', 'q.retry.5s', 'q.retry.5s', 'q.retry.5s', 'dead-letter']);
  });

  it('parks after exactly maxAttempts handlings, and a non-retryable failure at once', () => {
    expect(planFailure(retryable, 3, { tiers, maxAttempts: 3 }, 0)).toEqual({
      outcome: 'dead-letter',
      attempt: 3,
      maxAttempts: 3,
      why: 'attempts-exhausted',
    });
    expect(planFailure(retryable, 2, { tiers, maxAttempts: 3 }, 0)).toMatchObject({ outcome: 'retry', delayMs: 5_000 });
    expect(planFailure(final, 1, { tiers, maxAttempts: 3 }, 0)).toMatchObject({ outcome: 'dead-letter', why: 'not-retryable' });
    // A queue without tiers (maxAttempts 1) never retries.
    expect(planFailure(retryable, 1, { tiers: [], maxAttempts: 1 }, 0)).toMatchObject({ outcome: 'dead-letter' });
  });

  it('shortens the delay by at most the jitter fraction and never lengthens it (the tier TTL caps it)', () => {
    expect(jitteredDelay(5_000, 0.2, () => 0)).toBe(5_000);
    expect(jitteredDelay(5_000, 0.2, () => 0.999_999)).toBe(4_000);
    expect(jitteredDelay(5_000, 0, () => 0.7)).toBe(5_000);
    for (let i = 0; i < 1_000; i++) {
      const delay = jitteredDelay(1_000, 0.3);
      expect(delay).toBeGreaterThanOrEqual(700);
      expect(delay).toBeLessThanOrEqual(1_000);
      expect(Number.isInteger(delay)).toBe(true);
    }
    expect(jitteredDelay(1, 0.9, () => 0.99)).toBe(1);
  });

  it('spreads the retries of messages that failed together', () => {
    const delays = new Set(Array.from({ length: 100 }, () => jitteredDelay(30_000, 0.2)));
    expect(delays.size).toBeGreaterThan(50);
  });
});
