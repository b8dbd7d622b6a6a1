import { QueueDefaults, workQueueArguments, type QueueDeclaration } from '@orderly/contracts';
import type { BenchVhost } from '../../lib/bench-broker';

/** The service that owns the benchmark's queues in Orderly's terms (its dead-letter exchange is named after it). */
export const BENCH_SERVICE = 'bench-service';

/**
 * Every subject gets a fresh queue declared exactly like an Orderly work queue: quorum, delivery limit,
 * dead-lettering at-least-once with `reject-publish` overflow. Orderly asserts these arguments at
 * startup (it would refuse a queue declared otherwise), and the same queue for every subject keeps the
 * comparison about the clients, not the queue.
 */
export function benchQueueDeclaration(name: string): QueueDeclaration {
  return { name, owner: BENCH_SERVICE, ...QueueDefaults, bindings: [] };
}

export function benchQueueArguments(name: string): Record<string, string | number> {
  return workQueueArguments(benchQueueDeclaration(name));
}

/** Runs `use` on a fresh benchmark queue named `name`, and deletes the queue afterwards. */
export async function withBenchQueue<T>(
  vhost: BenchVhost,
  name: string,
  use: (queue: string) => Promise<T>,
): Promise<T> {
  await vhost.declareQueue(name, benchQueueArguments(name));
  try {
    return await use(name);
  } finally {
    await vhost.deleteQueue(name);
  }
}
