import type { TerminalStatus } from './order-requests';
import type { OutcomeTracker, Terminal } from './outcome-tracker';

export interface HttpPollingOptions {
  /** Concurrent GET /orders/:id requests at most. */
  pollers?: number;
  /** Time between two polls of one order; the terminal time is known to within this. */
  pollIntervalMs?: number;
}

interface Watched {
  orderId: string;
  dueAt: number;
  deadline: number;
  resolve(terminal: Terminal | undefined): void;
}

const TerminalSagaStatuses = new Set(['COMPLETED', 'COMPENSATED', 'FAILED']);

/**
 * Tracks orders by polling `GET /orders/:id` with a fixed number of pollers. The queue is FIFO and every
 * entry is re-queued `pollIntervalMs` after its poll, so it stays ordered by due time; it holds at most
 * the generator's in-flight orders. The polls load order-service, so prefer the order-events tracker
 * when the broker is reachable; this one needs nothing but the HTTP API.
 */
export class HttpPollingTracker implements OutcomeTracker {
  readonly name = 'http-polling';
  private readonly queue: Watched[] = [];
  private readonly workers: Promise<void>[] = [];
  private wakeUp: (() => void) | undefined;
  private closed = false;
  private readonly pollIntervalMs: number;

  constructor(
    private readonly baseUrl: string,
    { pollers = 16, pollIntervalMs = 25 }: HttpPollingOptions = {},
  ) {
    this.pollIntervalMs = pollIntervalMs;
    for (let i = 0; i < pollers; i++) this.workers.push(this.work());
  }

  track(orderId: string, deadline: number): Promise<Terminal | undefined> {
    return new Promise((resolve) => {
      this.queue.push({ orderId, dueAt: performance.now() + this.pollIntervalMs, deadline, resolve });
      this.wakeUp?.();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wakeUp?.();
    await Promise.all(this.workers);
    for (const watched of this.queue.splice(0)) watched.resolve(undefined);
  }

  private async work(): Promise<void> {
    while (!this.closed) {
      const watched = this.queue.shift();
      if (!watched) {
        await new Promise<void>((resolve) => {
          const previous = this.wakeUp;
          this.wakeUp = () => {
            this.wakeUp = undefined;
            previous?.();
            resolve();
          };
        });
        continue;
      }
      const wait = watched.dueAt - performance.now();
      if (wait > 0) await sleep(wait);
      const status = await this.poll(watched.orderId);
      const now = performance.now();
      if (status) watched.resolve({ status, at: now });
      else if (now >= watched.deadline || this.closed) watched.resolve(undefined);
      else {
        watched.dueAt = now + this.pollIntervalMs;
        this.queue.push(watched);
      }
    }
  }

  private async poll(orderId: string): Promise<TerminalStatus | undefined> {
    try {
      const response = await fetch(`${this.baseUrl}/orders/${encodeURIComponent(orderId)}`);
      if (!response.ok) {
        await response.text();
        return undefined;
      }
      const order = (await response.json()) as { status: string; saga?: { status: string } };
      if (order.saga?.status === 'FAILED') return 'FAILED';
      if (order.status === 'PENDING' || !order.saga || !TerminalSagaStatuses.has(order.saga.status))
        return undefined;
      return order.status as TerminalStatus;
    } catch {
      // A refused or reset connection is polled again: the deadline bounds how long.
      return undefined;
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
