import type { Message } from '@orderly/contracts';

/**
 * Extension points for tracing and metrics. The transport calls them; the observability wiring
 * implements them (injecting `traceparent` on publish, continuing the trace on consume).
 */
export interface MessagingHooks {
  /** Called just before a message is encoded; may set `traceparent`/`tracestate` on it. */
  beforePublish?(message: Message, target: { exchange: string; routingKey: string }): void;
  /** Wraps the handling of one delivery, so a span can enclose handler and acknowledgement. */
  aroundConsume?<T>(message: Message, queue: string, handle: () => Promise<T>): Promise<T>;
}

export const MESSAGING_HOOKS = Symbol('MESSAGING_HOOKS');
