import { randomUUID } from 'node:crypto';
import { HttpStatusError, type PlaceOrderRequest, type TestStack } from '@orderly/testing';

export interface StreamProduct {
  sku: string;
  priceMinor: number;
}

/** An order the system acknowledged (POST /orders answered 201 or 200 for its idempotency key). */
export interface PlacedOrder {
  id: string;
  request: PlaceOrderRequest;
  /** When the first POST was sent (the client's clock). */
  sentAt: number;
  /** When the system acknowledged it. */
  ackedAt: number;
  /** POSTs it took: more than one when a fault refused or dropped the first. */
  attempts: number;
}

export interface OrderStreamOptions {
  products: readonly StreamProduct[];
  /** Prefix of every customer id of this stream (a declined-* customer gets it after `declined-`). */
  customerPrefix: string;
  /** Gap between two orders. */
  intervalMs: number;
  /** POSTs in progress at most: while order-service is down, the stream waits instead of piling up. */
  maxInFlight: number;
  /** Every n-th order is from a customer whose card is declined (the compensation path). */
  declinedEvery: number;
}

/** Gap between retries of a POST that a fault refused (connection refused, reset, 5xx). */
const RetryGapMs = 250;

/**
 * A steady stream of orders into order-service's HTTP API, kept up while faults are injected. Each
 * order has an idempotency key: a POST that failed for any reason the client cannot interpret (refused,
 * reset, 5xx — the order may or may not have been committed) is sent again with the same key until the
 * system answers, so the stream never creates an order twice and never forgets one it may have created.
 * Orders are deterministic (derived from their index), so two runs place the same mix.
 */
export class OrderStream {
  readonly placed: PlacedOrder[] = [];
  /** Answers that are bugs, not faults (a 4xx to a valid request). */
  readonly refused: string[] = [];
  private readonly inFlight = new Map<number, Promise<void>>();
  private nextIndex = 0;
  private running = false;
  private loop?: Promise<void>;
  private readonly placedListeners: Array<() => void> = [];

  constructor(
    private readonly stack: TestStack,
    private readonly options: OrderStreamOptions,
  ) {}

  /** Orders sent so far (acknowledged or still being retried). */
  get sent(): number {
    return this.nextIndex;
  }

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  /** Stops sending new orders and waits until every order sent so far is acknowledged. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await Promise.all(this.inFlight.values());
  }

  /** Resolves once `count` orders have been acknowledged in all. */
  async waitForPlaced(count: number): Promise<void> {
    while (this.placed.length < count) {
      await new Promise<void>((resolve) => this.placedListeners.push(resolve));
    }
  }

  /**
   * The orders sent before `at`, once every one of them is acknowledged: the sagas a fault ending at
   * `at` may have touched.
   */
  async sentBefore(at: number): Promise<PlacedOrder[]> {
    const pending = [...this.inFlight.values()];
    await Promise.all(pending);
    return this.placed.filter((order) => order.sentAt < at);
  }

  private async run(): Promise<void> {
    while (this.running) {
      if (this.inFlight.size < this.options.maxInFlight) {
        const index = this.nextIndex++;
        const sending = this.send(index).finally(() => this.inFlight.delete(index));
        this.inFlight.set(index, sending);
      }
      await new Promise((resolve) => setTimeout(resolve, this.options.intervalMs));
    }
  }

  private async send(index: number): Promise<void> {
    const request = this.request(index);
    const key = randomUUID();
    const sentAt = Date.now();
    for (let attempts = 1; ; attempts += 1) {
      try {
        const order = await this.stack.orders.place(request, key);
        this.placed.push({ id: order.id, request, sentAt, ackedAt: Date.now(), attempts });
        for (const listener of this.placedListeners.splice(0)) listener();
        return;
      } catch (error) {
        if (error instanceof HttpStatusError && error.status < 500) {
          this.refused.push(`order #${index}: ${error.message}`);
          for (const listener of this.placedListeners.splice(0)) listener();
          return;
        }
        // Refused, reset or 5xx: the fault may or may not have let the order in; the key makes it safe.
        await new Promise((resolve) => setTimeout(resolve, RetryGapMs));
      }
    }
  }

  /**
   * Order `index`: one or two lines of 1–2 units (a second line every third order); every
   * `declinedEvery`-th customer is declined.
   */
  private request(index: number): PlaceOrderRequest {
    const { products, customerPrefix, declinedEvery } = this.options;
    // The last product is the scarce one: only ever a second line, so most orders can succeed.
    const first = products[index % Math.max(1, products.length - 1)] as StreamProduct;
    const second = products[(index * 7 + 3) % products.length] as StreamProduct;
    const lines = [{ sku: first.sku, quantity: 1 + (index % 2), unitPriceMinor: first.priceMinor }];
    if (index % 3 === 0 && second.sku !== first.sku) {
      lines.push({ sku: second.sku, quantity: 1, unitPriceMinor: second.priceMinor });
    }
    const customer = `${customerPrefix}-${index}`;
    return {
      customerId: index % declinedEvery === declinedEvery - 1 ? `declined-${customer}` : customer,
      currency: 'EUR',
      lines,
    };
  }
}
