import { PublishRejectedError } from '@orderly/messaging';
import type { PublishFailureReason } from '../outbox-metrics';

/**
 * What a failed publish means for its row:
 * - `transport`: not the row's fault (no connection, confirm timeout, in-flight limit full). The row is
 *   left as it was and goes out as soon as publishing works again; the relay worker pauses.
 * - `refused`: the broker refused this message (nacked; returned as unroutable; closed the channel
 *   naming the row's exchange, e.g. 404 no such exchange or 403 access refused). The row is retried
 *   with exponential backoff; later rows of its aggregate wait, other aggregates do not.
 * - `suspect`: the broker closed the publishing channel without naming this row's exchange. Every
 *   publish in flight on the channel fails with the same error, so most of them are innocent. The
 *   first time, the row is retried at once but alone (rows with attempts are published one at a time
 *   before the others), which tells the guilty row from its neighbours; from the second time, it
 *   backs off like a refused row.
 */
export type PublishFailure =
  | { kind: 'transport'; reason: PublishFailureReason; error: string }
  | { kind: 'refused' | 'suspect'; reason: PublishFailureReason; error: string };

export function classifyPublishFailure(error: unknown, row: { exchange: string; attempts: number }): PublishFailure {
  const text = error instanceof Error ? error.message : String(error);
  if (!(error instanceof PublishRejectedError)) return { kind: 'refused', reason: 'error', error: text };
  const { reason } = error;
  switch (reason) {
    case 'closed':
    case 'timeout':
    case 'buffer-full':
      return { kind: 'transport', reason, error: text };
    case 'nacked':
    case 'returned':
      return { kind: 'refused', reason, error: text };
    case 'channel-error':
      // amqplib words a channel the broker closed "Channel closed by server: <code> (<name>) with
      // message ..."; a channel that went down with its connection fails its confirms with
      // "channel closed" and no reason: that is transport, not this message.
      if (!/channel closed by server/i.test(text)) return { kind: 'transport', reason, error: text };
      if (text.includes(`'${row.exchange}'`)) return { kind: 'refused', reason, error: text };
      return { kind: row.attempts === 0 ? 'suspect' : 'refused', reason, error: text };
  }
}

/**
 * Delay before the next attempt of a row that failed for the `attempts + 1`-th time: none for a
 * first-time suspect, else `base · 2^attempts` capped at `max`, with jitter (half to full) so that rows
 * refused together do not come back together.
 */
export function retryDelayMs(
  failure: PublishFailure,
  attempts: number,
  settings: { retryBaseDelayMs: number; retryMaxDelayMs: number },
  random: () => number = Math.random,
): number {
  if (failure.kind === 'suspect') return 0;
  const exponential = Math.min(settings.retryMaxDelayMs, settings.retryBaseDelayMs * 2 ** Math.min(attempts, 30));
  return Math.round(exponential * (0.5 + random() / 2));
}
