import { randomUUID } from 'node:crypto';
import type { Message, MessageContract } from '@orderly/contracts';
import type { ConfirmChannel, Message as AmqpMessage, Options } from 'amqplib';
import type { AmqpConnection } from '../connection/amqp-connection';
import { encodeMessage } from '../envelope/cloud-events-binding';
import { PublishRejectedError, type PublishRejectionReason } from '../errors/publish-rejected.error';
import type { MessagingHooks } from '../messaging-hooks';
import { PublishSlots } from './publish-slots';

export interface PublisherOptions {
  /** Publishes awaiting a broker confirm (or a connection) at once; beyond it callers wait. */
  maxInFlight: number;
  /** How long a publish waits for a free slot before it is rejected (`buffer-full`). */
  backpressureTimeoutMs: number;
  /** How long a publish waits for a channel and then for the broker's confirm (`timeout`/`closed`). */
  confirmTimeoutMs: number;
}

export interface PublishTarget {
  exchange: string;
  routingKey: string;
  /** Reject when no queue is bound for the routing key (the broker returns the message). */
  mandatory: boolean;
}

/**
 * Correlates a returned message with its publish when it has no message id (a dead letter of a
 * delivery that arrived without one). Our own messages always carry `messageId`.
 */
const PUBLISH_ID_HEADER = 'x-orderly-publish-id';

/**
 * Publishes on a confirm channel: a publish resolves only when the broker has taken responsibility for
 * the message, and rejects with a `PublishRejectedError` when it nacks, returns (mandatory and
 * unroutable), times out, or the channel or connection closes first. It never re-sends on its own: the
 * caller (the outbox relay) keeps the message and decides, so nothing is published twice behind its back
 * and nothing vanishes.
 *
 * It opens its own amqplib confirm channel on the current connection rather than using a ChannelWrapper:
 * a ChannelWrapper whose channel the broker closed (e.g. 404 on a missing exchange) stays without a
 * channel until the *connection* reconnects, and meanwhile queues publishes without bound and re-sends
 * unconfirmed ones after a reconnect.
 */
export class ConfirmedPublisher {
  private channel?: ConfirmChannel;
  private opening?: Promise<ConfirmChannel>;
  private readonly returned = new Set<string>();
  /** Why the broker closed a channel: its `error` event comes before the confirm callbacks fail. */
  private readonly channelErrors = new WeakMap<ConfirmChannel, string>();
  private readonly slots: PublishSlots;
  private closed = false;

  constructor(
    private readonly connection: AmqpConnection,
    private readonly options: PublisherOptions,
    private readonly hooks: MessagingHooks = {},
    private readonly name = 'publisher',
  ) {
    this.slots = new PublishSlots(options.maxInFlight);
  }

  /** Publishes a contract's message to its exchange, routing key = type; commands and replies are mandatory. */
  publishMessage(contract: MessageContract, message: Message): Promise<void> {
    return this.publish(message, {
      exchange: contract.exchange,
      routingKey: contract.type,
      mandatory: contract.kind !== 'event',
    });
  }

  /** Always settles asynchronously, even when the message cannot be encoded or a hook throws. */
  async publish(message: Message, target: PublishTarget): Promise<void> {
    if (!this.hooks.aroundPublish) return this.encodeAndPublish(message, target);
    return this.hooks.aroundPublish(message, target, () => this.encodeAndPublish(message, target));
  }

  private async encodeAndPublish(message: Message, target: PublishTarget): Promise<void> {
    this.hooks.beforePublish?.(message, target);
    const { content, options } = encodeMessage(message);
    return this.publishRaw(content, options, target);
  }

  /** Publishes bytes and properties as they are (dead letters keep the original delivery's). */
  async publishRaw(content: Buffer, properties: Options.Publish, target: PublishTarget): Promise<void> {
    let key = properties.messageId;
    if (!key) {
      key = randomUUID();
      properties = { ...properties, headers: { ...properties.headers, [PUBLISH_ID_HEADER]: key } };
    }
    const reject = (reason: PublishRejectionReason, detail?: string, cause?: unknown) =>
      new PublishRejectedError(properties.messageId ?? `(no id, ${key})`, target.exchange, target.routingKey, reason, detail, { cause });

    if (this.closed) throw reject('closed', 'publisher is closed');
    if (!(await this.slots.acquire(this.options.backpressureTimeoutMs))) {
      throw reject('buffer-full', `${this.options.maxInFlight} publishes already awaiting confirms`);
    }
    const deadline = Date.now() + this.options.confirmTimeoutMs;
    try {
      if (this.closed) throw reject('closed', 'publisher is closed');
      let channel: ConfirmChannel;
      try {
        channel = await this.channelBefore(deadline);
      } catch (error) {
        throw reject('closed', messageOf(error), error);
      }
      this.returned.delete(key);
      await new Promise<void>((resolve, fail) => {
        const timer = setTimeout(
          () => fail(reject('timeout', `no confirm within ${this.options.confirmTimeoutMs} ms`)),
          Math.max(0, deadline - Date.now()),
        );
        try {
          // The boolean result (socket buffer full) is ignored on purpose: `maxInFlight` is the flow control.
          channel.publish(target.exchange, target.routingKey, content, { ...properties, mandatory: target.mandatory }, (err) => {
            clearTimeout(timer);
            if (!err) return resolve();
            if (messageOf(err) === 'message nacked') return fail(reject('nacked'));
            fail(reject(this.lossReason(channel), this.channelErrors.get(channel) ?? messageOf(err), err));
          });
        } catch (error) {
          // amqplib throws synchronously when the channel closed between our check and the publish.
          clearTimeout(timer);
          fail(reject(this.lossReason(channel), this.channelErrors.get(channel) ?? messageOf(error), error));
        }
      });
      // The broker sends basic.return before basic.ack on the same channel, so by now we know.
      if (this.returned.has(key)) throw reject('returned', 'no queue is bound for this routing key');
    } finally {
      this.returned.delete(key);
      this.slots.release();
    }
  }

  get inFlight(): number {
    return this.slots.used;
  }

  /** Rejects further publishes and closes the channel; publishes awaiting a confirm are rejected by amqplib. */
  async close(): Promise<void> {
    this.closed = true;
    const channel = this.channel ?? (await this.opening?.catch(() => undefined));
    this.channel = undefined;
    await channel?.close().catch(() => undefined);
  }

  /**
   * Why a confirm was lost: `channel-error` when the broker closed the channel over something (its
   * `error` event names it, e.g. 404 on the exchange: maybe this very message), `closed` when the
   * channel went down with its connection or was closed by us (nothing to do with the message).
   */
  private lossReason(channel: ConfirmChannel): PublishRejectionReason {
    return this.channelErrors.has(channel) ? 'channel-error' : 'closed';
  }

  private async channelBefore(deadline: number): Promise<ConfirmChannel> {
    let lastError: unknown;
    while (!this.closed) {
      if (this.channel) return this.channel;
      if (this.connection.isConnected()) {
        try {
          this.opening ??= this.open().finally(() => (this.opening = undefined));
          return await this.opening;
        } catch (error) {
          lastError = error; // e.g. the connection dropped while opening: try again until the deadline
        }
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new Error(
          this.connection.isConnected()
            ? `cannot open a channel: ${messageOf(lastError)}`
            : `broker not connected: ${this.connection.disconnectReason}`,
        );
      }
      if (this.connection.isConnected()) await sleep(Math.min(100, remaining));
      else await this.connection.waitForConnection(remaining);
    }
    throw new Error('publisher is closed');
  }

  private async open(): Promise<ConfirmChannel> {
    const channel = await this.connection.openChannel(`${this.name} publish`, 'confirm');
    if (this.closed) {
      await channel.close().catch(() => undefined);
      throw new Error('publisher is closed');
    }
    channel.on('return', (returned: AmqpMessage) => {
      const headers = returned.properties.headers as Record<string, unknown> | undefined;
      const id = (returned.properties.messageId as string | undefined) ?? (headers?.[PUBLISH_ID_HEADER] as string | undefined);
      if (id) this.returned.add(id);
    });
    channel.on('error', (error: Error) => this.channelErrors.set(channel, error.message));
    channel.on('close', () => {
      if (this.channel === channel) this.channel = undefined; // the next publish opens a fresh one
    });
    this.channel = channel;
    return channel;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
