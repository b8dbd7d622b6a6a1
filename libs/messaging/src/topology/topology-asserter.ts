import type { ResolvedQueue, ServiceTopology } from '@orderly/contracts';
import type { Channel } from 'amqplib';
import type { AmqpConnection } from '../connection/amqp-connection';
import { TopologyAssertionError } from '../errors/topology-assertion.error';

const PROVISION_HINT = 'run `npm run broker -- provision` (the broker app declares the shared topology)';

/**
 * Asserts one service's part of the topology, as declared in libs/contracts:
 * - exchanges of other contexts it publishes to or binds from must exist (passive check: the service
 *   may not declare them, and declaring them here would hide a missing provisioning step);
 * - its own exchanges, queues (with exactly the declared arguments) and bindings are declared.
 *
 * A failed declaration closes the channel (AMQP 404/406), so each failure is recorded and the next
 * step continues on a fresh channel: one run reports every problem, not only the first.
 */
export class TopologyAsserter {
  constructor(
    private readonly connection: AmqpConnection,
    private readonly topology: ServiceTopology,
  ) {}

  /**
   * Returns the dead-letter queues that could not be declared because the cluster node holding them is
   * down: they exist (404 "home node … down" is only said of an existing queue), and the service must
   * keep consuming meanwhile. A message to park waits in its quorum work queue until the DLQ is back
   * (at-least-once dead-lettering), so nothing is lost; every other failure is a problem that stops it.
   */
  async assertAll(): Promise<{ unavailableDeadLetterQueues: string[] }> {
    const problems: string[] = [];
    const unavailable: string[] = [];
    const run = new ChannelRun(this.connection, `topology of ${this.topology.service}`);
    try {
      for (const exchange of this.topology.uses) {
        await run.step((channel) => channel.checkExchange(exchange), (error) =>
          problems.push(
            isCode(error, 404)
              ? `exchange "${exchange}" (owned by another service) does not exist: ${PROVISION_HINT}`
              : `cannot check exchange "${exchange}": ${messageOf(error)}`,
          ),
        );
      }
      for (const exchange of this.topology.exchanges) {
        await run.step((channel) => channel.assertExchange(exchange.name, exchange.type, { durable: true }), (error) =>
          problems.push(`cannot declare exchange "${exchange.name}" (${exchange.type}): ${messageOf(error)}`),
        );
      }
      const failedQueues = new Set<string>();
      for (const queue of this.topology.queues) {
        await run.step((channel) => declareQueue(channel, queue), (error) => {
          failedQueues.add(queue.name);
          if (queue.deadLetter && isCode(error, 404)) unavailable.push(queue.name);
          else problems.push(describeQueueFailure(queue, error));
        });
      }
      for (const queue of this.topology.queues.filter((q) => !failedQueues.has(q.name))) {
        for (const binding of queue.bindings) {
          await run.step((channel) => channel.bindQueue(queue.name, binding.exchange, binding.routingKey), (error) =>
            problems.push(`cannot bind "${queue.name}" to "${binding.exchange}" with "${binding.routingKey}": ${messageOf(error)}`),
          );
        }
      }
    } finally {
      await run.close();
    }
    if (problems.length > 0) throw new TopologyAssertionError(this.topology.service, problems);
    return { unavailableDeadLetterQueues: unavailable };
  }

  /** Re-declares one work queue and its bindings, before a consumer (re)starts on it. */
  async assertQueue(queue: ResolvedQueue): Promise<void> {
    const problems: string[] = [];
    const run = new ChannelRun(this.connection, `queue ${queue.name}`);
    try {
      await run.step((channel) => declareQueue(channel, queue), (error) => problems.push(describeQueueFailure(queue, error)));
      if (problems.length === 0) {
        for (const binding of queue.bindings) {
          await run.step((channel) => channel.bindQueue(queue.name, binding.exchange, binding.routingKey), (error) =>
            problems.push(`cannot bind "${queue.name}" to "${binding.exchange}": ${messageOf(error)}`),
          );
        }
      }
    } finally {
      await run.close();
    }
    if (problems.length > 0) throw new TopologyAssertionError(this.topology.service, problems);
  }
}

function declareQueue(channel: Channel, queue: ResolvedQueue) {
  return channel.assertQueue(queue.name, { durable: true, autoDelete: false, exclusive: false, arguments: queue.arguments });
}

function describeQueueFailure(queue: ResolvedQueue, error: unknown): string {
  if (isCode(error, 406)) {
    return (
      `queue "${queue.name}" exists with other arguments than declared ${JSON.stringify(queue.arguments)} ` +
      `(${messageOf(error)}): queue arguments cannot change in place; migrate the queue (see apps/broker)`
    );
  }
  return `cannot declare queue "${queue.name}": ${messageOf(error)}`;
}

/** Runs declarations one after another, replacing the channel whenever the broker closed it. */
class ChannelRun {
  private channel?: Channel;

  constructor(
    private readonly connection: AmqpConnection,
    private readonly purpose: string,
  ) {}

  async step(action: (channel: Channel) => Promise<unknown>, onFailure: (error: unknown) => void): Promise<void> {
    this.channel ??= await this.open();
    try {
      await action(this.channel);
    } catch (error) {
      // Lost connection: there is nothing to report about the topology; the caller retries on reconnect.
      if (!this.connection.isConnected()) throw error;
      onFailure(error);
      // A 404/406 is a channel error: the broker closed it. Close it anyway in case the failure was ours.
      const failed = this.channel;
      this.channel = undefined;
      await failed.close().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await this.channel?.close().catch(() => undefined);
  }

  private open(): Promise<Channel> {
    return this.connection.openChannel(this.purpose);
  }
}

function isCode(error: unknown, code: number): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
