import { Exchanges, OrderCancelled, OrderConfirmed, OrderRejected } from '@orderly/contracts';
import { type Channel, type ChannelModel, connect, type ConsumeMessage } from 'amqplib';
import type { TerminalStatus } from './order-requests';
import type { OutcomeTracker, Terminal } from './outcome-tracker';

const StatusByEvent: Record<string, TerminalStatus> = {
  [OrderConfirmed.type]: 'CONFIRMED',
  [OrderRejected.type]: 'REJECTED',
  [OrderCancelled.type]: 'CANCELLED',
};

export interface OrderEventsOptions {
  /** Events of orders not (yet) tracked kept at most; the oldest are forgotten first. */
  maxEarlyEvents?: number;
}

interface Waiting {
  deadline: number;
  resolve(terminal: Terminal | undefined): void;
}

/**
 * Tracks orders by the outcome events order-service publishes (OrderConfirmed, OrderRejected,
 * OrderCancelled on its events exchange): a queue of our own (exclusive, gone when we disconnect) bound
 * to those event types. No polling load on the service, and the terminal time is when a downstream
 * consumer (notification-service) could have learnt it. An event can arrive before the 201 of its
 * order does; such events are kept (bounded) until the order is tracked.
 *
 * Needs a broker user that may declare a queue and bind it to the events exchange in the vhost (the
 * bench uses the administrator of its own vhost); the services' least-privilege users may not.
 */
export class OrderEventsTracker implements OutcomeTracker {
  readonly name = 'order-events';
  private readonly waiting = new Map<string, Waiting>();
  private readonly early = new Map<string, Terminal>();
  private readonly maxEarly: number;
  private timer: NodeJS.Timeout | undefined;
  /** Events of orders nobody tracked (other clients' orders, or beyond the early bound). */
  untracked = 0;

  private constructor(
    private readonly connection: ChannelModel,
    private readonly channel: Channel,
    options: OrderEventsOptions,
  ) {
    this.maxEarly = options.maxEarlyEvents ?? 10_000;
    // Deadlines are checked a few times a second: waiting orders are bounded by the generator.
    this.timer = setInterval(() => this.expire(), 200);
  }

  static async start(amqpUrl: string, options: OrderEventsOptions = {}): Promise<OrderEventsTracker> {
    const connection = await connect(amqpUrl, { noDelay: true });
    try {
      const channel = await connection.createChannel();
      const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
      for (const type of Object.keys(StatusByEvent))
        await channel.bindQueue(queue, Exchanges.orderEvents, type);
      const tracker = new OrderEventsTracker(connection, channel, options);
      await channel.consume(queue, (message) => tracker.onEvent(message), { noAck: true });
      return tracker;
    } catch (error) {
      await connection.close().catch(() => undefined);
      throw error;
    }
  }

  track(orderId: string, deadline: number): Promise<Terminal | undefined> {
    const seen = this.early.get(orderId);
    if (seen) {
      this.early.delete(orderId);
      return Promise.resolve(seen);
    }
    return new Promise((resolve) => this.waiting.set(orderId, { deadline, resolve }));
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    for (const [orderId, waiting] of this.waiting) {
      this.waiting.delete(orderId);
      waiting.resolve(undefined);
    }
    await this.channel.close().catch(() => undefined);
    await this.connection.close().catch(() => undefined);
  }

  private onEvent(message: ConsumeMessage | null): void {
    if (!message) return;
    const at = performance.now();
    const status = StatusByEvent[message.fields.routingKey];
    let orderId: unknown;
    try {
      orderId = (JSON.parse(message.content.toString()) as { orderId?: unknown }).orderId;
    } catch {
      return;
    }
    if (!status || typeof orderId !== 'string') return;
    const waiting = this.waiting.get(orderId);
    if (waiting) {
      this.waiting.delete(orderId);
      waiting.resolve({ status, at });
      return;
    }
    if (this.early.size >= this.maxEarly) {
      const oldest = this.early.keys().next().value;
      if (oldest !== undefined) this.early.delete(oldest);
      this.untracked++;
    }
    this.early.set(orderId, { status, at });
  }

  private expire(): void {
    const now = performance.now();
    for (const [orderId, waiting] of this.waiting) {
      if (now >= waiting.deadline) {
        this.waiting.delete(orderId);
        waiting.resolve(undefined);
      }
    }
  }
}
