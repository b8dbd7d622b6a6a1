import { Logger } from '@nestjs/common';
import type { Message, MessageContract } from '@orderly/contracts';
import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import type { AmqpConnection } from '../connection/amqp-connection';
import { encodeMessage } from '../envelope/cloud-events-binding';
import { PublishRejectedError } from '../errors/publish-rejected.error';
import type { MessagingHooks } from '../messaging-hooks';
import { PublishSlots } from './publish-slots';

export interface PublisherOptions {
  /** Publishes awaiting a broker confirm (or a connection) at once; beyond it callers wait. */
  maxInFlight: number;
  /** How long a publish waits for a free slot before it is rejected (`buffer-full`). */
  backpressureTimeoutMs: number;
  /** How long a publish waits for a channel and then for the broker's confirm (`timeout`). */
  confirmTimeoutMs: number;
}

export interface PublishTarget {
  exchange: string;
  routingKey: string;
  /** Reject when no queue is bound for the routing key (the broker returns the message). */
  mandatory: boolean;
}

/**
 * Publishes on a confirm channel: a publish resolves only when the broker has taken responsibility for
 * the message, and rejects with a `PublishRejectedError` when it nacks, returns (mandatory and
 * unroutable), times out, or the channel or connection closes first. It never re-sends on its own: the
 * caller (the outbox relay) keeps the message and decides, so nothing is published twice behind its back
 * and nothing vanishes.
 *
 * It manages its own amqplib confirm channel on the amqp-connection-manager connection rather than a
 * ChannelWrapper, because a ChannelWrapper whose channel was closed by the broker (e.g. 404 on a missing
 * exchange) waits for a *connection* reconnect that never comes, and silently re-queues its messages.
 */
export class ConfirmedPublisher {
  private readonly logger = new Logger(ConfirmedPublisher.name);
  private channel?: ConfirmChannel;
  private opening?: Promise<ConfirmChannel>;
  private channelError?: Error;
  private readonly returned = new Set<string>();
  private readonly slots: PublishSlots;
  private closed = false;

  constructor(
    private readonly connection: AmqpConnection,
    private readonly options: PublisherOptions,
    private readonly hooks: MessagingHooks = {},
  ) {
    this.slots = new PublishSlots(options.maxInFlight);
    connection.manager.on('disconnect', () => (this.channel = undefined));
  }

  /** Publishes a contract's message to its exchange, routing key = type; commands are mandatory. */
  publishMessage(contract: MessageContract, message: Message): Promise<void> {
    return this.publish(message, {
      exchange: contract.exchange,
      routingKey: contract.type,
      mandatory: contract.kind !== 'event',
    });
  }

  async publish(message: Message, target: PublishTarget): Promise<void> {
    const reject = (reason: PublishRejectedError['reason'], detail?: string, cause?: unknown) =>
      new PublishRejectedError(message.id, target.exchange, target.routingKey, reason, detail, { cause });
    if (this.closed) throw reject('closed', 'publisher is closed');
    if (!(await this.slots.acquire(this.options.backpressureTimeoutMs))) {
      throw reject('buffer-full', `${this.options.maxInFlight} publishes already awaiting confirms`);
    }
    const deadline = Date.now() + this.options.confirmTimeoutMs;
    try {
      const channel = await this.channelBefore(deadline).catch((error: Error) => {
        throw reject('closed', error.message, error);
      });
      this.hooks.beforePublish?.(message, target);
      const { content, options } = encodeMessage(message);
      await new Promise<void>((resolve, fail) => {
        const timer = setTimeout(
          () => fail(reject('timeout', `no confirm within ${this.options.confirmTimeoutMs} ms`)),
          Math.max(0, deadline - Date.now()),
        );
        // The boolean result (socket buffer full) is ignored on purpose: `maxInFlight` is the flow control.
        channel.publish(target.exchange, target.routingKey, content, { ...options, mandatory: target.mandatory }, (err) => {
          clearTimeout(timer);
          if (!err) return resolve();
          if (err.message === 'message nacked') return fail(reject('nacked'));
          fail(reject('channel-error', this.channelError?.message ?? err.message, err));
        });
      });
      // The broker sends basic.return before basic.ack on the same channel, so by now we know.
      if (this.returned.delete(message.id)) throw reject('returned', 'no queue is bound for this routing key');
    } finally {
      this.slots.release();
    }
  }

  get inFlight(): number {
    return this.slots.used;
  }

  async close(): Promise<void> {
    this.closed = true;
    const channel = this.channel;
    this.channel = undefined;
    await channel?.close().catch(() => undefined);
  }

  private async channelBefore(deadline: number): Promise<ConfirmChannel> {
    while (!this.closed) {
      if (this.channel) return this.channel;
      const connection = this.connection.manager.connection;
      if (connection) {
        this.opening ??= this.open(connection).finally(() => (this.opening = undefined));
        return this.opening;
      }
      if (Date.now() >= deadline) throw new Error(`broker not connected: ${this.connection.disconnectReason}`);
      await new Promise((r) => setTimeout(r, Math.min(100, Math.max(1, deadline - Date.now()))));
    }
    throw new Error('publisher is closed');
  }

  private async open(connection: NonNullable<AmqpConnection['manager']['connection']>): Promise<ConfirmChannel> {
    const channel = await connection.createConfirmChannel();
    this.channelError = undefined;
    channel.on('return', (returned: ConsumeMessage) => {
      const id = returned.properties.messageId as string | undefined;
      if (id) this.returned.add(id);
    });
    channel.on('error', (error: Error) => {
      this.channelError = error;
      this.logger.warn(`publish channel closed by the broker: ${error.message}`);
    });
    channel.on('close', () => {
      if (this.channel === channel) this.channel = undefined; // the next publish opens a fresh one
    });
    this.channel = channel;
    return channel;
  }
}
