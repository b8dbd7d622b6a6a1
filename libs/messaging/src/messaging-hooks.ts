import type { Message } from '@orderly/contracts';
import type { HandlingFailure } from './consumer/handling-failure';
import type { PublishTarget } from './publisher/confirmed-publisher';

/** What happened to a delivery whose handling failed: retried later through the ladder, or parked. */
export interface FailureDisposition {
  queue: string;
  /** The CloudEvents type; undefined when the delivery could not be decoded. */
  messageType?: string;
  failure: HandlingFailure;
  /** 1-based number of the attempt that just failed. */
  attempt: number;
  outcome: 'retry' | 'dead-letter';
  /** For `retry`: how long the message waits before its next attempt. */
  delayMs?: number;
}

/** Where a delivery came from, as `aroundConsume` sees it. */
export interface DeliveryInfo {
  /** The queue it was consumed from. */
  queue: string;
  /** The exchange it was published to (`''`: the default exchange). */
  exchange: string;
  routingKey: string;
  /** The broker delivered it before (to this or another consumer) without an acknowledgement. */
  redelivered: boolean;
  deliveryTag: number;
}

/** How the handling of one delivery ended. */
export interface HandlingOutcome {
  /** What the handler threw; the delivery then went to failure handling. Undefined: it was acknowledged. */
  error?: unknown;
  /** How long dispatch and the handler ran (its acknowledgement and failure handling not included). */
  handlerSeconds: number;
}

/**
 * Extension points for tracing and metrics. The transport calls them; `telemetryHooks()` (the default,
 * used when no `MESSAGING_HOOKS` is provided) traces and counts with @orderly/observability.
 */
export interface MessagingHooks {
  /**
   * Wraps one publish from before the message is encoded until the broker's confirm (or rejection),
   * so a span covers the wait for the confirm; may set `traceparent`/`tracestate` on the message
   * before calling `publish`. Raw publishes (dead letters, retries) keep their headers and are not wrapped.
   */
  aroundPublish?<T>(message: Message, target: PublishTarget, publish: () => Promise<T>): Promise<T>;
  /** Called just before a message is encoded (inside `aroundPublish`); may set `traceparent`/`tracestate` on it. */
  beforePublish?(message: Message, target: PublishTarget): void;
  /**
   * Wraps the handling of one decoded delivery: handler, then acknowledgement or failure handling
   * (retry or DLQ). `handle` never throws: a handler's error comes back in the outcome.
   */
  aroundConsume?(message: Message, delivery: DeliveryInfo, handle: () => Promise<HandlingOutcome>): Promise<HandlingOutcome>;
  /** Called once per failed delivery, after it was scheduled for a retry or parked in the DLQ. */
  onFailure?(disposition: FailureDisposition): void;
}

export const MESSAGING_HOOKS = Symbol('MESSAGING_HOOKS');
