import type { ResolvedRetry } from '@orderly/contracts';
import type { ConsumeMessage } from 'amqplib';
import type { ConfirmedPublisher } from '../publisher/confirmed-publisher';
import { attemptOf, type DeadLetter, deadLetterOf, type FailureContext, retryLetterOf } from './dead-letter-parker';
import type { HandlingFailure } from './handling-failure';

/** What to do with a failed delivery. */
export type FailurePlan =
  | { outcome: 'retry'; attempt: number; maxAttempts: number; tier: { queue: string; delayMs: number }; delayMs: number }
  | { outcome: 'dead-letter'; attempt: number; maxAttempts: number; why: 'not-retryable' | 'attempts-exhausted' | 'retry-unpublishable' };

/**
 * A delay at or below `delayMs`, down to `(1 - jitter) × delayMs`. Jitter spreads the retries of
 * messages that failed together (a database outage) so they do not come back as one burst. It only
 * ever shortens the wait: the tier queue's TTL is the delay itself and caps whatever a message asks.
 */
export function jitteredDelay(delayMs: number, jitter: number, random: () => number = Math.random): number {
  return Math.max(1, Math.round(delayMs * (1 - jitter * random())));
}

/**
 * The ladder as a pure decision: a non-retryable failure, or the failure of the last attempt, is parked;
 * any other waits in the tier of its attempt (attempt 1 → first tier; past the last tier, the last again).
 */
export function planFailure(
  failure: HandlingFailure,
  attempt: number,
  retry: Pick<ResolvedRetry, 'tiers'> & { maxAttempts: number },
  jitter: number,
  random?: () => number,
): FailurePlan {
  const { maxAttempts, tiers } = retry;
  if (!failure.retryable) return { outcome: 'dead-letter', attempt, maxAttempts, why: 'not-retryable' };
  if (attempt >= maxAttempts || tiers.length === 0) return { outcome: 'dead-letter', attempt, maxAttempts, why: 'attempts-exhausted' };
  const tier = tiers[Math.min(attempt, tiers.length) - 1];
  return { outcome: 'retry', attempt, maxAttempts, tier, delayMs: jitteredDelay(tier.delayMs, jitter, random) };
}

/** What the ladder did with a failed delivery: the plan it carried out, and why it fell back, if it did. */
export type FailureResult = FailurePlan & { fallbackReason?: string };

/**
 * Turns failed deliveries into retries or dead letters, on a confirm channel: a retry is published
 * (mandatory) to its delay tier, a dead letter to `<queue>.dlq`. The caller acks the original only after
 * `dispose` resolved. When the retry cannot be published (tier missing, nack, timeout) the message is
 * parked instead, with the reason: an operator can replay it, whereas an immediate requeue could loop.
 * When parking fails too, `dispose` rejects, and the caller rejects the delivery without requeue so the
 * queue's own dead-letter arguments (at-least-once) move it to the same DLQ, without the reason.
 */
export class RetryLadder {
  constructor(
    private readonly publisher: ConfirmedPublisher,
    private readonly service: string,
    private readonly settings: { maxErrorBytes: number; jitter: number },
  ) {}

  async dispose(
    delivery: ConsumeMessage,
    queue: string,
    retry: Pick<ResolvedRetry, 'tiers'> & { maxAttempts: number },
    failure: HandlingFailure,
  ): Promise<FailureResult> {
    const where: FailureContext = { service: this.service, queue, failedAt: new Date(), maxErrorBytes: this.settings.maxErrorBytes };
    const plan = planFailure(failure, attemptOf(delivery, this.service), retry, this.settings.jitter);
    if (plan.outcome === 'dead-letter') {
      await this.send(deadLetterOf(delivery, failure, where));
      return plan;
    }
    try {
      await this.send(retryLetterOf(delivery, failure, where, { queue: plan.tier.queue, delayMs: plan.delayMs }));
      return plan;
    } catch (retryError) {
      const fallbackReason = `cannot schedule the retry in ${plan.tier.queue}: ${retryError instanceof Error ? retryError.message : String(retryError)}`;
      await this.send(deadLetterOf(delivery, failure, where));
      return { outcome: 'dead-letter', attempt: plan.attempt, maxAttempts: plan.maxAttempts, why: 'retry-unpublishable', fallbackReason };
    }
  }

  private send(letter: DeadLetter): Promise<void> {
    // Mandatory: a missing tier or DLQ must fail the publish (and fall back), not drop the message.
    return this.publisher.publishRaw(letter.content, letter.properties, {
      exchange: letter.exchange,
      routingKey: letter.routingKey,
      mandatory: true,
    });
  }
}
