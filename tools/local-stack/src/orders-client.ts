/** What `POST /orders` takes (order-service's public API). */
export interface PlaceOrderRequest {
  customerId: string;
  currency: string;
  lines: Array<{ sku: string; quantity: number; unitPriceMinor: number }>;
}

export type OrderStatus = 'PENDING' | 'CONFIRMED' | 'REJECTED' | 'CANCELLED';
export type SagaStatus = 'RUNNING' | 'COMPENSATING' | 'COMPLETED' | 'COMPENSATED' | 'FAILED';

/** One entry of a saga's timeline: a message the orchestrator sent or received. */
export interface TimelineEntry {
  at: string;
  step: string;
  attempt: number;
  messageType: string;
  messageId: string;
  direction: 'sent' | 'received';
  outcome: string;
  traceId?: string;
}

export interface SagaView {
  id: string;
  type: string;
  status: SagaStatus;
  step: string;
  startedAt: string;
  endedAt?: string;
  timeline: TimelineEntry[];
}

/** What `GET /orders/:id` answers. */
export interface OrderView {
  id: string;
  customerId: string;
  status: OrderStatus;
  totalMinor: number;
  currency: string;
  lines: PlaceOrderRequest['lines'];
  reason?: string;
  saga?: SagaView;
}

const TerminalSagaStatuses: readonly SagaStatus[] = ['COMPLETED', 'COMPENSATED', 'FAILED'];

/** An order whose outcome is decided and whose saga has nothing left to do (compensations included). */
export function isSettled(order: OrderView): boolean {
  return order.status !== 'PENDING' && !!order.saga && TerminalSagaStatuses.includes(order.saga.status);
}

export class HttpStatusError extends Error {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`${method} ${url} answered ${status}: ${body}`);
  }
}

export interface WaitOptions {
  /** Give up after this long (the error names the last state seen). */
  timeoutMs?: number;
  pollMs?: number;
}

/** A small typed client of order-service's HTTP API, shared by the demo and the end-to-end tests. */
export class OrdersClient {
  constructor(readonly baseUrl: string) {}

  async place(request: PlaceOrderRequest, idempotencyKey?: string): Promise<OrderView> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
    return this.call<OrderView>('POST', '/orders', { headers, body: JSON.stringify(request) });
  }

  get(id: string): Promise<OrderView> {
    return this.call<OrderView>('GET', `/orders/${encodeURIComponent(id)}`);
  }

  /** Asks to cancel; resolves with the HTTP status (202 accepted, 409 already decided). */
  async cancel(id: string): Promise<number> {
    const response = await fetch(`${this.baseUrl}/orders/${encodeURIComponent(id)}/cancel`, {
      method: 'POST',
    });
    await response.text();
    return response.status;
  }

  /** Polls `GET /orders/:id` until `done(order)` holds; throws with the last state seen on timeout. */
  async waitFor(
    id: string,
    done: (order: OrderView) => boolean,
    what: string,
    { timeoutMs = 30_000, pollMs = 100 }: WaitOptions = {},
  ): Promise<OrderView> {
    const deadline = Date.now() + timeoutMs;
    let last: OrderView | undefined;
    for (;;) {
      last = await this.get(id);
      if (done(last)) return last;
      if (Date.now() >= deadline) break;
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
    throw new Error(
      `order ${id}: not ${what} within ${timeoutMs} ms; last seen:\n${JSON.stringify(last, null, 2)}`,
    );
  }

  /** Waits until the order is decided and its saga terminal (compensations done). */
  waitUntilSettled(id: string, options?: WaitOptions): Promise<OrderView> {
    return this.waitFor(id, isSettled, 'settled', options);
  }

  private async call<T>(method: string, path: string, init: RequestInit = {}): Promise<T> {
    const url = `${this.baseUrl}${path}`;
    const response = await fetch(url, { ...init, method });
    const text = await response.text();
    if (!response.ok) throw new HttpStatusError(method, url, response.status, text);
    return JSON.parse(text) as T;
  }
}
