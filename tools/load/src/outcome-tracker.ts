import type { TerminalStatus } from './order-requests';

/** An order reached its end: what it became and when we saw it (`performance.now()`). */
export interface Terminal {
  status: TerminalStatus;
  at: number;
}

/** Watches orders until they reach their end. */
export interface OutcomeTracker {
  readonly name: string;
  /** Resolves with the order's end, or undefined once `deadline` (a performance.now() time) passes. */
  track(orderId: string, deadline: number): Promise<Terminal | undefined>;
  close(): Promise<void>;
}
