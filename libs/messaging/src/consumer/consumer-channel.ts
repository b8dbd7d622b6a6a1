import type { Logger } from '@nestjs/common';
import type { Channel, ConsumeMessage } from 'amqplib';

/**
 * One amqplib channel a queue is consumed on, for its whole life. A delivery can only be settled on the
 * channel it arrived on (delivery tags are per channel), so every delivery keeps a reference to this
 * object, and settling is refused once the channel closed: the broker has already put the message back
 * in the queue, and acking on a newer channel would ack some *other* delivery or close that channel
 * with 406 PRECONDITION_FAILED.
 */
export class ConsumerChannel {
  consumerTag?: string;
  private open = true;
  private readonly settled = new Set<number>();
  private running = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(
    readonly channel: Channel,
    readonly queue: string,
    private readonly logger: Logger,
  ) {
    channel.on('close', () => {
      this.open = false;
      this.settled.clear();
    });
    // amqplib throws from its own delivery listener when a delivery names a consumer tag it no longer
    // knows (its source says "surely a race here", around basic.cancel), and an exception thrown there
    // closes the whole *connection* unless a `handler-error` listener exists. With one, such a delivery
    // is only dropped: it stays unacknowledged and the broker returns it when this channel closes.
    channel.on('handler-error', (error: unknown, event: string) =>
      this.logger.warn(`${event} on the channel of ${this.queue} not handled (${String(error)}): the broker redelivers it`),
    );
  }

  get isOpen(): boolean {
    return this.open;
  }

  /** Handlers running for deliveries of this channel. */
  get inFlight(): number {
    return this.running;
  }

  /** Counts the handling of `delivery` as in flight until it finished; never rejects. */
  track(delivery: ConsumeMessage, work: () => Promise<void>): void {
    this.running++;
    void work()
      .catch((error: unknown) =>
        this.logger.error(`unexpected error handling message ${delivery.properties.messageId} from ${this.queue}: ${String(error)}`),
      )
      .finally(() => {
        // Its handling is over: nothing settles this tag again, so the guard can forget it.
        this.settled.delete(delivery.fields.deliveryTag);
        this.running--;
        if (this.running === 0) for (const wake of this.idleWaiters.splice(0)) wake();
      });
  }

  /** Resolves true when no handler runs any more, or false when `timeoutMs` (if given) passed first. */
  whenIdle(timeoutMs?: number): Promise<boolean> {
    if (this.running === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          this.idleWaiters = this.idleWaiters.filter((w) => w !== wake);
          resolve(false);
        }, Math.max(0, timeoutMs));
      }
      this.idleWaiters.push(wake);
    });
  }

  isSettled(delivery: ConsumeMessage): boolean {
    return this.settled.has(delivery.fields.deliveryTag);
  }

  /** Acknowledges on this channel; false (and nothing sent) when it closed or the delivery was settled already. */
  ack(delivery: ConsumeMessage): boolean {
    return this.settle(delivery, 'ack', () => this.channel.ack(delivery));
  }

  /** Rejects without requeue: the queue's dead-letter arguments move the message to its DLQ. */
  reject(delivery: ConsumeMessage): boolean {
    return this.settle(delivery, 'reject', () => this.channel.nack(delivery, false, false));
  }

  /** Stops deliveries (basic.cancel); deliveries already sent still arrive before the cancel-ok. */
  async cancel(): Promise<void> {
    const tag = this.consumerTag;
    this.consumerTag = undefined;
    if (!this.open || !tag) return;
    await this.channel.cancel(tag).catch((error: unknown) =>
      this.logger.warn(`cannot cancel the consumer of ${this.queue}: ${String(error)}`),
    );
  }

  async close(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    await this.channel.close().catch(() => undefined);
  }

  private settle(delivery: ConsumeMessage, how: 'ack' | 'reject', send: () => void): boolean {
    const tag = delivery.fields.deliveryTag;
    if (this.settled.has(tag)) {
      this.logger.error(`refused to ${how} delivery ${tag} of ${this.queue} twice (message ${delivery.properties.messageId})`);
      return false;
    }
    if (!this.open) {
      this.logger.warn(
        `not settling message ${delivery.properties.messageId} of ${this.queue}: its channel closed, the broker redelivers it`,
      );
      return false;
    }
    try {
      send();
    } catch (error) {
      // The channel closed under us (amqplib throws 'Channel closed'); the broker redelivers.
      this.logger.warn(`cannot ${how} message ${delivery.properties.messageId} of ${this.queue}: ${String(error)}`);
      return false;
    }
    this.settled.add(tag);
    return true;
  }
}
