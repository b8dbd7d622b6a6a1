import { connect, type ChannelModel, type ConfirmChannel, type Options } from 'amqplib';
import type { BenchVhost } from '../../lib/bench-broker';
import { benchQueueArguments } from '../messaging/bench-queue';
import { BenchOutboxExchange, BenchMessageWritten } from './bench-event';

/** A message as the broker holds it: what the relay published, byte for byte. */
export interface CapturedMessage {
  content: Buffer;
  properties: Options.Publish;
}

/**
 * The suite's own AMQP connection (administrator of its vhost): declares the exchange and queues, takes
 * what the relay published out of a queue, and publishes it again with raw amqplib (the baseline).
 */
export class BrokerAdmin {
  private constructor(
    private readonly vhost: BenchVhost,
    private readonly connection: ChannelModel,
    private readonly channel: ConfirmChannel,
  ) {}

  static async open(vhost: BenchVhost): Promise<BrokerAdmin> {
    const connection = await connect(vhost.amqpUrl, { noDelay: true });
    const channel = await connection.createConfirmChannel();
    await channel.assertExchange(BenchOutboxExchange, 'topic', { durable: true });
    return new BrokerAdmin(vhost, connection, channel);
  }

  /** A fresh Orderly-like work queue (quorum, see messaging/bench-queue.ts) bound to the bench exchange. */
  async boundQueue(name: string): Promise<void> {
    await this.vhost.declareQueue(name, benchQueueArguments(name));
    await this.channel.bindQueue(name, BenchOutboxExchange, BenchMessageWritten.type);
  }

  deleteQueue(name: string): Promise<void> {
    return this.vhost.deleteQueue(name);
  }

  /** Takes `count` messages out of `queue` (consumed without acknowledgements, prefetch unbounded by them). */
  async take(queue: string, count: number, timeoutMs: number): Promise<CapturedMessage[]> {
    const channel = await this.connection.createChannel();
    const taken: CapturedMessage[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`took ${taken.length} of ${count} messages from ${queue}`)), timeoutMs);
        void channel.consume(
          queue,
          (message) => {
            if (!message) return;
            const { contentType, contentEncoding, headers, deliveryMode, correlationId, messageId, timestamp, type } = message.properties;
            taken.push({
              content: message.content,
              properties: { contentType, contentEncoding, headers, persistent: deliveryMode === 2, correlationId, messageId, timestamp, type },
            });
            if (taken.length === count) {
              clearTimeout(timer);
              resolve();
            }
          },
          { noAck: true },
        );
      });
    } finally {
      await channel.close().catch(() => undefined);
    }
    return taken;
  }

  /**
   * Raw amqplib, the ceiling: publishes `messages` to the bench exchange on one confirm channel, at most
   * `window` unconfirmed, and resolves with confirmed messages per second (first send to last confirm).
   */
  async publishRaw(messages: readonly CapturedMessage[], window: number): Promise<number> {
    const channel = await this.connection.createConfirmChannel();
    try {
      const started = performance.now();
      let next = 0;
      const lane = async (): Promise<void> => {
        while (next < messages.length) {
          const { content, properties } = messages[next++];
          await new Promise<void>((resolve, reject) =>
            channel.publish(BenchOutboxExchange, BenchMessageWritten.type, content, properties, (error) => (error ? reject(error) : resolve())),
          );
        }
      };
      await Promise.all(Array.from({ length: window }, lane));
      return messages.length / ((performance.now() - started) / 1000);
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await this.connection.close().catch(() => undefined);
  }
}
