import { Logger } from '@nestjs/common';
import type { ResolvedQueue } from '@orderly/contracts';
import type { ConsumeMessage } from 'amqplib';
import type { AmqpConnection } from '../connection/amqp-connection';
import type { TopologyAsserter } from '../topology/topology-asserter';
import { ConsumerChannel } from './consumer-channel';

export type DeliveryHandler = (delivery: ConsumeMessage, channel: ConsumerChannel) => Promise<void>;

export interface QueueConsumerOptions {
  prefetch: number;
  channelReopenDelayMs: number;
}

/**
 * Consumes one work queue on a channel of its own (so its prefetch is its own, and a channel error on
 * one queue does not stop the others), and keeps consuming across faults:
 * - connection lost: every channel is gone; the server calls `start()` again after the reconnect, once
 *   the topology has been re-asserted;
 * - channel closed by the broker while the connection lives (406 on a bad ack, queue deleted and the
 *   consumer cancelled): re-declares the queue and opens a new channel after `channelReopenDelayMs`.
 * Handlers of deliveries from an old channel run to the end; their acks are refused (see ConsumerChannel)
 * and the broker redelivers those messages.
 */
export class QueueConsumer {
  private readonly logger: Logger;
  private current?: ConsumerChannel;
  /** Channels that may still have handlers running: the current one and retired ones. */
  private readonly channels = new Set<ConsumerChannel>();
  private starting?: Promise<void>;
  private reopenTimer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    readonly queue: ResolvedQueue,
    private readonly connection: AmqpConnection,
    private readonly asserter: TopologyAsserter,
    private readonly onDelivery: DeliveryHandler,
    private readonly options: QueueConsumerOptions,
  ) {
    this.logger = new Logger(`QueueConsumer(${queue.name})`);
  }

  /** True while a consumer is registered with the broker. */
  get isConsuming(): boolean {
    return !!this.current?.isOpen && !!this.current.consumerTag;
  }

  get inFlight(): number {
    let total = 0;
    for (const channel of this.channels) total += channel.inFlight;
    return total;
  }

  /** Starts consuming unless it already does; safe to call on every reconnect. */
  start(): Promise<void> {
    if (this.stopped || this.isConsuming) return Promise.resolve();
    this.starting ??= this.open().finally(() => (this.starting = undefined));
    return this.starting;
  }

  /**
   * Graceful stop: cancel the consumer (no new deliveries), wait up to `timeoutMs` for running handlers
   * (they ack as they finish), then close the channels. Returns how many handlers were still running.
   */
  async stop(timeoutMs: number): Promise<number> {
    this.stopped = true;
    clearTimeout(this.reopenTimer);
    await this.starting?.catch(() => undefined);
    await Promise.all([...this.channels].map((channel) => channel.cancel()));
    const deadline = Date.now() + timeoutMs;
    await Promise.all([...this.channels].map((channel) => channel.whenIdle(deadline - Date.now())));
    const unfinished = this.inFlight;
    await Promise.all([...this.channels].map((channel) => channel.close()));
    this.channels.clear();
    this.current = undefined;
    return unfinished;
  }

  private async open(): Promise<void> {
    const raw = await this.connection.openChannel(`consumer of ${this.queue.name}`);
    const channel = new ConsumerChannel(raw, this.queue.name, this.logger);
    this.channels.add(channel);
    raw.on('close', () => this.onChannelClosed(channel));
    try {
      await raw.prefetch(this.options.prefetch, false); // per consumer, not per channel
      const { consumerTag } = await raw.consume(
        this.queue.name,
        (delivery) => {
          if (delivery === null) return this.onCancelledByBroker(channel);
          channel.track(delivery, () => this.onDelivery(delivery, channel));
        },
        { noAck: false },
      );
      if (this.stopped) {
        await channel.close();
        return;
      }
      channel.consumerTag = consumerTag;
      this.current = channel;
      this.logger.log(`consuming ${this.queue.name} (prefetch ${this.options.prefetch})`);
    } catch (error) {
      await channel.close();
      throw error;
    }
  }

  private onChannelClosed(channel: ConsumerChannel): void {
    if (this.current === channel) this.current = undefined;
    // Handlers of its deliveries may still run; their acks are refused and the broker redelivers.
    if (channel.inFlight === 0) this.channels.delete(channel);
    else void channel.whenIdle().then(() => this.channels.delete(channel));
    this.scheduleReopen();
  }

  /** The broker cancelled the consumer (its queue was deleted): consume on a fresh channel. */
  private onCancelledByBroker(channel: ConsumerChannel): void {
    this.logger.warn(`the broker cancelled the consumer of ${this.queue.name} (queue deleted?)`);
    channel.consumerTag = undefined;
    if (this.current === channel) this.current = undefined;
    // Keep the channel until its running handlers have settled their deliveries, then close it.
    void channel.whenIdle().then(() => channel.close());
    this.scheduleReopen();
  }

  /**
   * After a channel-only failure, re-declare the queue and consume again. When the whole connection is
   * down this does nothing: the server restarts every consumer after the reconnect.
   */
  private scheduleReopen(): void {
    if (this.stopped || this.reopenTimer) return;
    this.reopenTimer = setTimeout(() => {
      this.reopenTimer = undefined;
      if (this.stopped || this.isConsuming || !this.connection.isConnected()) return;
      this.asserter
        .assertQueue(this.queue)
        .then(() => this.start())
        .catch((error: unknown) => {
          this.logger.error(`cannot consume ${this.queue.name} again: ${String(error)}`);
          if (this.connection.isConnected()) this.scheduleReopen();
        });
    }, this.options.channelReopenDelayMs);
  }
}
