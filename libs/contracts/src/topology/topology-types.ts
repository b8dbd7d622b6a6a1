import type { MessageContract } from '../envelope/message-contract';

export type ExchangeType = 'topic' | 'direct' | 'fanout' | 'headers' | 'x-consistent-hash';

export interface ExchangeDeclaration {
  name: string;
  type: ExchangeType;
  /** The one service allowed to declare (configure) it. */
  owner: string;
}

export interface BindingDeclaration {
  exchange: string;
  /** The messages routed into the queue: routing keys are their types, so a rename cannot drift. */
  messages: readonly MessageContract[];
}

export interface QueueDeclaration {
  name: string;
  /** The one service that declares it and consumes from it. */
  owner: string;
  /** Quorum by default (replicated, poison-safe with a delivery limit); classic only where a feature needs it. */
  type: 'quorum' | 'classic';
  /**
   * `x-delivery-limit`: a safety net under the retry ladder. Handler failures are counted by the retry
   * ladder; this limit catches messages that keep crashing or disconnecting their consumer.
   */
  deliveryLimit: number;
  bindings: readonly BindingDeclaration[];
  /** The retry ladder of this queue's consumer; `RetryDefaults` (topology.ts) when left out. */
  retry?: RetryDeclaration;
}

/**
 * How a consumer retries a failed handling: each tier is a delay queue (`<queue>.retry.<delay>`) whose
 * TTL dead-letters the message back to the work queue. Attempt n failing waits in tier n (the last tier
 * repeats) with jitter below the tier's delay, until `maxAttempts` handlings failed: then the DLQ.
 */
export interface RetryDeclaration {
  /** Delay of each tier in ms, strictly ascending; each one is a queue on the broker. */
  delaysMs: readonly number[];
  /** Handlings in all, the first included; after the last failed one the message is parked. 1 = no retry. */
  maxAttempts: number;
}

export interface ServiceDeclaration {
  name: string;
  /** Exchanges this service publishes to (its own events, other contexts' commands, reply exchanges). */
  publishesTo: readonly string[];
}

export interface PolicyDeclaration {
  name: string;
  /** Regular expression on queue names (RabbitMQ's syntax, anchored by the author). */
  pattern: string;
  applyTo: 'queues' | 'exchanges' | 'all';
  priority: number;
  definition: Record<string, string | number | boolean>;
}

export interface TopologyDeclaration {
  vhost: string;
  exchanges: readonly ExchangeDeclaration[];
  queues: readonly QueueDeclaration[];
  services: readonly ServiceDeclaration[];
  policies: readonly PolicyDeclaration[];
}

/** The three permission patterns of a RabbitMQ user on the vhost (regular expressions on resource names). */
export interface Permissions {
  configure: string;
  write: string;
  read: string;
}
