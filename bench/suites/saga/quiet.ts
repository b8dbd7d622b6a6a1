import { resolveQueues, Topology } from '@orderly/contracts';
import type { BenchVhost } from '../../lib/bench-broker';

/**
 * Waits until no message waits in any work or retry queue of the vhost (read twice, `gapMs` apart):
 * after a step that overloaded the services, its retries would otherwise run into the next phase and
 * its figures. Gives up after `timeoutMs` and says how many were still queued.
 */
export async function waitForQuiet(vhost: BenchVhost, timeoutMs: number, gapMs = 500): Promise<number> {
  const queues = resolveQueues(Topology).filter((q) => q.kind !== 'dead-letter');
  const deadline = Date.now() + timeoutMs;
  let quietReads = 0;
  let queued = 0;
  while (Date.now() < deadline) {
    queued = 0;
    for (const queue of queues) queued += await vhost.readyMessages(queue.name);
    quietReads = queued === 0 ? quietReads + 1 : 0;
    if (quietReads >= 2) return 0;
    await new Promise((resolve) => setTimeout(resolve, gapMs));
  }
  return queued;
}

/** Messages parked in the dead-letter queues: each is a message the system gave up on. */
export async function deadLettered(vhost: BenchVhost): Promise<Record<string, number>> {
  const parked: Record<string, number> = {};
  for (const queue of resolveQueues(Topology).filter((q) => q.kind === 'dead-letter')) {
    const count = await vhost.readyMessages(queue.name);
    if (count > 0) parked[queue.name] = count;
  }
  return parked;
}
