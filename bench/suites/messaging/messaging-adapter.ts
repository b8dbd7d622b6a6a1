import type { Subject } from '../../lib/bench-suite';
import type { BenchMessage } from './bench-message';

/**
 * What a subject (amqplib, nest-rmq, golevelup, orderly) must provide: one way to publish and one way to
 * consume, configured the way that subject is meant to be used. Timing, windows, counting and checks
 * live in measurements.ts, identical for every subject, so an adapter is only the library's own code.
 */
export interface MessagingAdapter {
  readonly subject: Subject;
  /** What a resolved `send` and an acknowledged delivery mean with this configuration. */
  readonly guarantees: string;
  /**
   * Opens an endpoint on `queue` (a quorum queue that exists): it can publish to it, and when `onMessage`
   * is given it consumes it with the suite's prefetch, calls `onMessage` in the handler and acknowledges
   * after the handler returns. Resolves once consuming has started.
   */
  open(queue: string, role: EndpointRole): Promise<Endpoint>;
}

export interface EndpointRole {
  onMessage?: (message: BenchMessage) => void;
}

export interface Endpoint {
  /** Publishes one persistent message to the queue; resolves when the subject considers it sent. */
  send(message: BenchMessage): Promise<void>;
  close(): Promise<void>;
}

/** The adapter cannot run here (e.g. the library it measures is not written yet); the suite skips it. */
export class SubjectUnavailableError extends Error {
  constructor(
    readonly subject: Subject,
    reason: string,
  ) {
    super(`${subject} is not available: ${reason}`);
  }
}

/** The AMQP-level settings every adapter gets: the same for all. */
export interface AdapterOptions {
  amqpUrl: string;
  prefetch: number;
  /**
   * TCP_NODELAY on every connection. amqplib (under all four subjects) leaves Nagle's algorithm on by
   * default; a connection that both publishes and acks then waits on delayed TCP ACKs, which costs
   * ~15 ms at p50 at 1,000 msg/s. Every subject can switch it off, so every subject does.
   */
  noDelay: boolean;
}
