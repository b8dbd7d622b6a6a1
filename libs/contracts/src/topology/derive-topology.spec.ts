import { z } from 'zod';
import { defineCommand } from '../envelope/message-contract';
import { Exchanges, formatDelay, Queues, retryExchangeOf, retryQueueOf, Services } from './names';
import { permissionsFor, resolveExchanges, resolveQueues, resolveRetry, topologyOf } from './derive-topology';
import { QueueDefaults, RetryDefaults, Topology } from './topology';
import type { QueueDeclaration, TopologyDeclaration } from './topology-types';

const matches = (pattern: string, name: string) => new RegExp(pattern).test(name);

describe('retry ladder in the topology', () => {
  it('names tiers after their delay', () => {
    expect([200, 1_000, 90_000, 120_000, 3_600_000, 1_500].map(formatDelay)).toEqual(['200ms', '1s', '90s', '2m', '1h', '1500ms']);
    expect(retryQueueOf(Queues.inventoryCommands, 5_000)).toBe('inventory-service.commands.retry.5s');
  });

  it('gives every work queue of Orderly a tier per default delay, dead-lettering back to it through its owner’s retry exchange', () => {
    const queues = resolveQueues(Topology);
    for (const declared of Topology.queues) {
      const work = queues.find((q) => q.name === declared.name);
      expect(work?.kind).toBe('work');
      expect(work?.retry).toEqual({
        exchange: retryExchangeOf(declared.owner),
        maxAttempts: RetryDefaults.maxAttempts,
        tiers: RetryDefaults.delaysMs.map((delayMs) => ({ queue: retryQueueOf(declared.name, delayMs), delayMs })),
      });
      // The way back: the work queue is bound to the retry exchange with its own name.
      expect(work?.bindings).toContainEqual({ exchange: retryExchangeOf(declared.owner), routingKey: declared.name, retryReturn: true });
      for (const delayMs of RetryDefaults.delaysMs) {
        const tier = queues.find((q) => q.name === retryQueueOf(declared.name, delayMs));
        expect(tier).toEqual({
          name: retryQueueOf(declared.name, delayMs),
          owner: declared.owner,
          kind: 'retry-tier',
          deadLetter: false,
          arguments: {
            'x-queue-type': 'quorum',
            'x-message-ttl': delayMs,
            'x-dead-letter-exchange': retryExchangeOf(declared.owner),
            'x-dead-letter-routing-key': declared.name,
            'x-dead-letter-strategy': 'at-least-once',
            'x-overflow': 'reject-publish',
          },
          bindings: [{ exchange: retryExchangeOf(declared.owner), routingKey: retryQueueOf(declared.name, delayMs) }],
        });
      }
    }
    expect(resolveExchanges(Topology).filter((e) => e.name.endsWith('.retry'))).toEqual(
      Topology.services.map((s) => ({ name: retryExchangeOf(s.name), type: 'direct', owner: s.name })),
    );
  });

  it('declares only the tiers maxAttempts can reach, and none (nor a retry exchange) for a queue that never retries', () => {
    const Ping = defineCommand({ type: 'test.ping', version: 1, exchange: 'test.commands', schema: z.object({}) });
    const queue = (retry: QueueDeclaration['retry']): QueueDeclaration => ({
      name: 'a-service.commands',
      owner: 'a-service',
      ...QueueDefaults,
      retry,
      bindings: [{ exchange: 'test.commands', messages: [Ping] }],
    });
    const topology = (retry: QueueDeclaration['retry']): TopologyDeclaration => ({
      vhost: 'v',
      exchanges: [{ name: 'test.commands', type: 'direct', owner: 'a-service' }],
      queues: [queue(retry)],
      services: [{ name: 'a-service', publishesTo: [] }],
      policies: [],
    });
    expect(resolveRetry(queue({ delaysMs: [100, 200, 400], maxAttempts: 2 })).tiers).toEqual([
      { queue: 'a-service.commands.retry.100ms', delayMs: 100 },
    ]);
    const never = topology({ delaysMs: [], maxAttempts: 1 });
    expect(resolveQueues(never).map((q) => q.kind)).toEqual(['work', 'dead-letter']);
    expect(resolveQueues(never)[0].bindings.some((b) => b.retryReturn)).toBe(false);
    expect(resolveExchanges(never).map((e) => e.name)).toEqual(['test.commands', 'a-service.dead-letter']);
  });

  it('refuses a ladder that cannot work, naming the queue', () => {
    const queue = (retry: QueueDeclaration['retry']): QueueDeclaration => ({ name: 'q', owner: 's', ...QueueDefaults, retry, bindings: [] });
    expect(() => resolveRetry(queue({ delaysMs: [1_000], maxAttempts: 0 }))).toThrow(/queue "q": maxAttempts/);
    expect(() => resolveRetry(queue({ delaysMs: [5_000, 1_000], maxAttempts: 3 }))).toThrow(/strictly ascending/);
    expect(() => resolveRetry(queue({ delaysMs: [0.5], maxAttempts: 2 }))).toThrow(/delaysMs\[0\]/);
    expect(() => resolveRetry(queue({ delaysMs: [], maxAttempts: 3 }))).toThrow(/needs at least one delay/);
  });

  it('lets each service publish to its own retry and dead-letter exchanges and nothing of another context', () => {
    for (const service of Topology.services) {
      const { write, configure, read } = permissionsFor(Topology, service.name);
      expect(matches(write, retryExchangeOf(service.name))).toBe(true);
      expect(matches(configure, retryExchangeOf(service.name))).toBe(true);
      for (const queue of topologyOf(Topology, service.name).queues) {
        expect([configure, write, read].every((pattern) => matches(pattern, queue.name))).toBe(true);
      }
      for (const other of Topology.services.filter((s) => s.name !== service.name)) {
        expect(matches(write, retryExchangeOf(other.name))).toBe(false);
        expect(matches(read, retryQueueOf(`${other.name}.commands`, 1_000))).toBe(false);
      }
      // The default exchange reaches every queue.
      expect(matches(write, '')).toBe(false);
    }
    // Commands go only where a service's publishesTo says: payment may not command inventory.
    expect(matches(permissionsFor(Topology, Services.payment).write, Exchanges.inventoryCommands)).toBe(false);
    expect(matches(permissionsFor(Topology, Services.order).write, Exchanges.inventoryCommands)).toBe(true);
  });
});
