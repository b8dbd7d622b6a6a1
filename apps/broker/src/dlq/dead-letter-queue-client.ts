// The one place of the broker app that speaks AMQP. Services reach the broker only through
// libs/messaging (hence the ban on raw clients in apps); this operator tool has to fetch, hold, ack and
// requeue individual messages of a DLQ, which neither libs/messaging nor the management API offer
// (the management API's "get" acks or requeues at once, so it cannot ack only after a confirm).
// eslint-disable-next-line @nx/enforce-module-boundaries -- operator tool; see the comment above
import amqp, { type Channel, type ChannelModel, type ConfirmChannel, type GetMessage } from 'amqplib';
import type { DeadLetterQueue } from './dead-letter-queues';
import {
  isSelected,
  messageIdOf,
  messageTypeOf,
  replayPropertiesOf,
  replayTargetOf,
  type FetchedMessage,
  type MessageProperties,
  type ReplaySelection,
  type ReplayTarget,
} from './dead-letter';
import { DlqSettings } from './dlq-settings';
import { AmqpConnectionError, DeadLetterQueueMissingError } from './dlq-errors';

export interface ReplayOptions {
  selection: ReplaySelection;
  /** Replay at most this many (selected) messages. */
  limit?: number;
  /** Checked between messages: stop early (Ctrl-C); what was not replayed stays in the DLQ. */
  signal?: AbortSignal;
  /** Called after each message was handled, for progress output. */
  onMessage?(outcome: ReplayOutcome): void;
  /**
   * Called after the broker confirmed the republished copy and before the DLQ copy is acked. Tests use it
   * as a crash point: an exception here leaves the message both republished and in the DLQ.
   */
  afterConfirm?(message: FetchedMessage): void | Promise<void>;
}

export type ReplayOutcome =
  | { status: 'replayed'; id?: string; type?: string; target: ReplayTarget }
  | { status: 'failed'; id?: string; type?: string; reason: string };

export interface ReplayReport {
  /** Ready messages in the DLQ when the replay began: the bound on how many it looks at. */
  depthAtStart: number;
  examined: number;
  replayed: number;
  /** Not selected by --type/--id: left in the DLQ, in their place. */
  skipped: number;
  failed: Array<Extract<ReplayOutcome, { status: 'failed' }>>;
  interrupted: boolean;
}

interface AmqpError extends Error {
  code?: number | string;
}

/**
 * Operations on dead-letter queues over one AMQP connection, as the broker administrator.
 *
 * Every operation that reads messages fetches them with `basic.get` without auto-ack and keeps them
 * unacknowledged until it is done: a message is removed from its DLQ only by an explicit ack (replay,
 * after the broker confirmed the republished copy) or by a purge. Everything else goes back with
 * `basic.nack(requeue)` — on a classic queue (DLQs are classic, see the topology) a requeued message
 * returns to its original position, so the order is kept — and if this process dies, the broker
 * requeues every unacknowledged message itself when the connection drops.
 */
export class DeadLetterQueueClient {
  private constructor(
    private readonly connection: ChannelModel,
    readonly vhost: string,
  ) {}

  /** `shownUrl` is the URL without credentials, for messages. */
  static async connect(amqpUrl: string, shownUrl: string, vhost: string): Promise<DeadLetterQueueClient> {
    let connection: ChannelModel;
    try {
      connection = await amqp.connect(amqpUrl, {
        // One small frame, then wait for the answer, many times over: Nagle's algorithm would hold each
        // frame back until the previous one is acknowledged by TCP (~40 ms per message).
        noDelay: true,
        clientProperties: { connection_name: 'orderly broker CLI (dlq)' },
      });
    } catch (error) {
      throw new AmqpConnectionError(`cannot connect to ${shownUrl}: ${describeConnectError(error)}`, {
        cause: error,
      });
    }
    // A connection error also rejects the pending operation, which reports it; this keeps it from
    // becoming an unhandled 'error' event.
    connection.on('error', () => undefined);
    return new DeadLetterQueueClient(connection, vhost);
  }

  async close(): Promise<void> {
    await this.connection.close().catch(() => undefined);
  }

  /**
   * Ready messages in the queue, exact at this moment (`queue.declare` passive), unlike the management
   * API's counters which are statistics refreshed every few seconds.
   */
  async depth(queue: string): Promise<number> {
    // A passive declare of a missing queue closes its channel: use one of its own.
    const channel = await this.channel();
    try {
      return (await channel.checkQueue(queue)).messageCount;
    } catch (error) {
      if ((error as AmqpError).code === 404) throw new DeadLetterQueueMissingError(queue, this.vhost);
      throw error;
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  /** Up to `limit` messages from the head of the queue, all returned to it in their order. */
  async peek(queue: string, limit: number): Promise<FetchedMessage[]> {
    const depth = await this.depth(queue);
    const channel = await this.channel();
    const messages: GetMessage[] = [];
    try {
      while (messages.length < limit) {
        // Held unacked, so the next get returns the next message, not this one again.
        const message = await channel.get(queue, { noAck: false });
        if (message === false) break;
        messages.push(message);
      }
      return messages;
    } finally {
      await returnAll(channel, queue, depth);
    }
  }

  /**
   * Republishes selected dead letters to their original exchange and routing key: publish (mandatory)
   * on a confirm channel, and ack the DLQ copy only once the broker confirmed the new one. Up to
   * `DlqSettings.replayWindow` wait for their confirm at once. A message that cannot be republished
   * (its exchange is gone, nothing is bound for its routing key, no original recorded) stays in the DLQ.
   *
   * At-least-once: if the process dies between a confirm and its ack, the message is both on its way to
   * the consumer and back in the DLQ; the consumer's inbox makes the second delivery harmless.
   */
  async replay(dlq: DeadLetterQueue, options: ReplayOptions): Promise<ReplayReport> {
    const depthAtStart = await this.depth(dlq.name);
    const report: ReplayReport = {
      depthAtStart,
      examined: 0,
      replayed: 0,
      skipped: 0,
      failed: [],
      interrupted: false,
    };
    const source = await this.channel();
    const publisher = new ConfirmedRepublisher(this.connection);
    const exchanges = new ExchangeCheck(this.connection);
    const inFlight = new Set<Promise<void>>();
    // Set by a failing ack or hook: from then on nothing more is acked, as if the process had died.
    let crash: { error: unknown } | undefined;
    const fail = (about: { id?: string; type?: string }, reason: string) => {
      const failure = { status: 'failed' as const, ...about, reason };
      report.failed.push(failure);
      options.onMessage?.(failure);
    };
    const wantsMore = () => options.limit === undefined || report.replayed + inFlight.size < options.limit;

    try {
      // Messages that stay (not selected, failed) are held unacked until the end so that `get` moves
      // past them; the depth at start bounds the walk, so requeued or newly arriving ones are not
      // looked at again.
      while (report.examined < depthAtStart && crash === undefined) {
        if (inFlight.size >= DlqSettings.replayWindow || (!wantsMore() && inFlight.size > 0)) {
          await Promise.race(inFlight);
          continue;
        }
        if (!wantsMore()) break;
        if (options.signal?.aborted) {
          report.interrupted = true;
          break;
        }
        const message = await source.get(dlq.name, { noAck: false });
        if (message === false) break;
        report.examined += 1;
        if (!isSelected(message, options.selection)) {
          report.skipped += 1;
          continue;
        }
        const about = { id: messageIdOf(message), type: messageTypeOf(message) };
        const target = replayTargetOf(message, dlq.workQueue);
        if (!target) {
          fail(about, 'no original exchange/routing key recorded');
          continue;
        }
        // A publish to a missing exchange would close the confirm channel and fail every message in
        // flight on it: check first (once per exchange).
        if (!(await exchanges.exists(target.exchange))) {
          fail(about, `exchange "${target.exchange}" does not exist`);
          continue;
        }
        const settled: Promise<void> = publisher
          .publish(target, message, replayPropertiesOf(message, dlq.workQueue))
          .then(
            async () => {
              if (crash) return;
              try {
                await options.afterConfirm?.(message);
                source.ack(message);
              } catch (error) {
                crash = { error };
                return;
              }
              report.replayed += 1;
              options.onMessage?.({ status: 'replayed', ...about, target });
            },
            (error: Error) => fail(about, error.message),
          )
          .finally(() => inFlight.delete(settled));
        inFlight.add(settled);
      }
      await Promise.all([...inFlight]);
      if (crash) throw crash.error;
      return report;
    } finally {
      await publisher.close();
      await returnAll(source, dlq.name, depthAtStart - report.replayed);
    }
  }

  /** Deletes every ready message of the queue; resolves with how many. */
  async purge(queue: string): Promise<number> {
    await this.depth(queue);
    const channel = await this.channel();
    try {
      return (await channel.purgeQueue(queue)).messageCount;
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  private async channel(): Promise<Channel> {
    const channel = await this.connection.createChannel();
    // A channel error (e.g. 404) also rejects the operation that caused it, which reports it.
    channel.on('error', () => undefined);
    return channel;
  }
}

/**
 * Requeues everything the channel holds unacknowledged, in place, and closes the channel once they are
 * back. `basic.nack` has no reply and the queue applies it in its own time (a passive declare is no
 * barrier: the queue answers it with priority), so this waits until the queue holds at least
 * `expectedReady` messages again — else the next command (a replay right after a peek) could miss or
 * reorder them. The wait is bounded: another client taking messages meanwhile must not block us.
 */
async function returnAll(channel: Channel, queue: string, expectedReady: number): Promise<void> {
  try {
    channel.nackAll(true);
    const deadline = Date.now() + DlqSettings.requeueWaitMs;
    while ((await channel.checkQueue(queue)).messageCount < expectedReady && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await channel.close();
  } catch {
    // The channel or connection is already gone: the broker requeues the messages itself.
  }
}

/**
 * Publishes on a confirm channel, mandatory. The broker sends a message's `basic.return` before its
 * confirm, and returns in publish order; a return is matched to the oldest unconfirmed message with the
 * same exchange, routing key and message id (messages alike in all three are routed alike). A channel
 * closed by the broker fails every message in flight on it; the next publish opens a new one.
 */
class ConfirmedRepublisher {
  private opening?: Promise<ConfirmChannel>;
  private closedBecause?: string;
  /** Unconfirmed messages of the current channel, in publish order. */
  private pending: Array<{ key: string; returned: boolean }> = [];

  constructor(private readonly connection: ChannelModel) {}

  async publish(target: ReplayTarget, message: FetchedMessage, properties: MessageProperties): Promise<void> {
    const channel = await this.open();
    const where = `exchange "${target.exchange}" routing key "${target.routingKey}"`;
    const entry = { key: keyOf(target.exchange, target.routingKey, properties.messageId), returned: false };
    this.pending.push(entry);
    await new Promise<void>((resolve, reject) => {
      const settle = (error: unknown) => {
        const index = this.pending.indexOf(entry);
        if (index >= 0) this.pending.splice(index, 1);
        if (error)
          reject(new Error(`not republished to ${where}: ${this.closedBecause ?? (error as Error).message}`));
        else if (entry.returned) reject(new Error(`not republished: ${where} routes to no queue`));
        else resolve();
      };
      try {
        channel.publish(
          target.exchange,
          target.routingKey,
          message.content,
          { ...properties, mandatory: true },
          settle,
        );
      } catch (error) {
        settle(error);
      }
    });
  }

  async close(): Promise<void> {
    const channel = await this.opening?.catch(() => undefined);
    await channel?.close().catch(() => undefined);
  }

  private open(): Promise<ConfirmChannel> {
    this.opening ??= this.connection.createConfirmChannel().then((channel) => {
      this.closedBecause = undefined;
      this.pending = [];
      channel.on('error', (error: Error) => {
        this.closedBecause = error.message;
      });
      channel.on('close', () => {
        this.opening = undefined;
      });
      channel.on('return', (returned: FetchedMessage) => {
        const key = keyOf(
          returned.fields.exchange,
          returned.fields.routingKey,
          returned.properties.messageId,
        );
        const entry = this.pending.find((candidate) => !candidate.returned && candidate.key === key);
        if (entry) entry.returned = true;
      });
      return channel;
    });
    return this.opening;
  }
}

const keyOf = (exchange: string, routingKey: string, messageId: string | undefined) =>
  JSON.stringify([exchange, routingKey, messageId ?? null]);

/** Whether an exchange exists, asked once per name (a passive declare on a channel of its own). */
class ExchangeCheck {
  private readonly known = new Map<string, boolean>();

  constructor(private readonly connection: ChannelModel) {}

  async exists(exchange: string): Promise<boolean> {
    // The default exchange always exists (and cannot be declared, even passively).
    if (exchange === '') return true;
    const cached = this.known.get(exchange);
    if (cached !== undefined) return cached;
    const channel = await this.connection.createChannel();
    channel.on('error', () => undefined);
    let exists = true;
    try {
      await channel.checkExchange(exchange);
      await channel.close();
    } catch (error) {
      if ((error as AmqpError).code !== 404) throw error;
      exists = false;
    }
    this.known.set(exchange, exists);
    return exists;
  }
}

function describeConnectError(error: unknown): string {
  const { code, message } = error as AmqpError;
  if (code === 'ECONNREFUSED') return 'connection refused (is RabbitMQ running, and is this its AMQP port?)';
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return `${code} ${message}`;
  if (/ACCESS.REFUSED/.test(message))
    return `the broker refused the administrator's credentials (${message})`;
  if (/NOT.ALLOWED/.test(message))
    return `the administrator may not use this vhost, or it does not exist (${message})`;
  return message;
}
