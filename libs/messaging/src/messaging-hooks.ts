import type { Message } from '@orderly/contracts';
import type { HandlingFailure } from './consumer/handling-failure';

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

/**
 * Extension points for tracing and metrics. The transport calls them; the observability wiring
 * implements them (injecting `traceparent` on publish, continuing the trace on consume, counting).
 */
export interface MessagingHooks {
  /** Called just before a message is encoded; may set `traceparent`/`tracestate` on it. */
  beforePublish?(message: Message, target: { exchange: string; routingKey: string }): void;
  /** Wraps the handling of one delivery, so a span can enclose handler and acknowledgement. */
  aroundConsume?<T>(message: Message, queue: string, handle: () => Promise<T>): Promise<T>;
  /** Called once per failed delivery, after it was scheduled for a retry or parked in the DLQ. */
  onFailure?(disposition: FailureDisposition): void;
}

export const MESSAGING_HOOKS = Symbol('MESSAGING_HOOKS');
