import { Queues } from '@orderly/contracts';
import { managementApi, type TestCluster } from '@orderly/testing';
import { eventually } from '../support/eventually';
import type { Fault } from './fault-catalog';

type RabbitMqNode = TestCluster['cluster']['nodes'][number];

/** A quorum queue as the management API describes it (`leader`, `members`, `online` are node names). */
export interface QuorumQueueView {
  name: string;
  type: string;
  leader?: string;
  members?: string[];
  online?: string[];
}

/** The queues of the test's vhost, read through one node's management API (any running node). */
export async function queuesOf(via: RabbitMqNode, vhost: string): Promise<QuorumQueueView[]> {
  const api = managementApi(via.managementUrl);
  return api<QuorumQueueView[]>('GET', `/queues/${encodeURIComponent(vhost)}`);
}

/**
 * What replication the topology gets on the cluster: every work queue must be a quorum queue with a
 * member on each node, or stopping a node would prove nothing. The topology sets no
 * `x-quorum-initial-group-size`, so RabbitMQ places a member on as many nodes as its default allows
 * (`quorum_cluster_size`, at least 3 on every version we support): all three here. Resolves with a line
 * for the report.
 */
export async function describeReplication(
  via: RabbitMqNode,
  vhost: string,
  nodeNames: readonly string[],
): Promise<{ problems: string[]; summary: string }> {
  const queues = await queuesOf(via, vhost);
  const quorum = queues.filter((q) => q.type === 'quorum');
  const problems: string[] = [];
  for (const name of Object.values(Queues)) {
    const queue = queues.find((q) => q.name === name);
    if (!queue) problems.push(`${name}: not declared`);
    else if (queue.type !== 'quorum') problems.push(`${name}: ${queue.type}, not quorum`);
  }
  const all = [...nodeNames].sort().join(',');
  for (const queue of quorum) {
    const members = [...(queue.members ?? [])].sort().join(',');
    if (members !== all) problems.push(`${queue.name}: members ${members || 'none'}`);
  }
  const leaders = new Map<string, number>();
  for (const queue of quorum)
    leaders.set(queue.leader ?? 'none', (leaders.get(queue.leader ?? 'none') ?? 0) + 1);
  const summary =
    `${nodeNames.length}-node cluster: ${quorum.length} quorum queues (${Object.values(Queues).length} work queues and their ` +
    `retry tiers), ${nodeNames.length} members each; leaders ${[...leaders].map(([node, n]) => `${n} on ${shortName(node)}`).join(', ')}; ` +
    `${queues.length - quorum.length} classic queues (the DLQs)`;
  return { problems, summary };
}

/** `orderly-cluster-123-2@localhost` → `node 2`. */
const shortName = (nodeName: string) => nodeName.replace(/^.*-(\d+)@.*$/, 'node $1');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One node of the cluster stops (`rabbitmqctl stop_app`: its listeners close, every connection on it
 * drops, its quorum members go offline) while orders flow, and comes back after `downMs`. The node is
 * the one most of the services' connections go to through the failover proxy, so the fault always hits
 * them: the first time it is node 1, which also leads every queue (queues are declared through it).
 * The services must reconnect through the proxy to a live node and the quorum queues elect new leaders;
 * after `start_app` the node must be an online member of every queue again.
 */
export const clusterNodeStop = (downMs: number): Fault => ({
  name: `cluster node stopped ${downMs / 1000} s`,
  outage: true,
  async inject({ cluster, proxy, stack, db }) {
    if (!cluster) throw new Error('a cluster node stop needs the cluster (cluster profile)');
    const nodes = cluster.cluster.nodes;
    const vhost = stack.vhost.vhost;
    const open = proxy.openConnectionsByTarget;
    const total = open.reduce((a, b) => a + b, 0);
    if (total === 0) throw new Error('no connection through the proxy: the fault would hit no service');
    const index = open.indexOf(Math.max(...open));
    const target = proxy.targets[index];
    const node = nodes.find((n) => Number(new URL(n.amqpUrl).port) === target?.port);
    if (!node) throw new Error(`proxy target ${target?.host}:${target?.port} is no node of the cluster`);
    /** The node behind the proxy's `i`-th target. */
    const nodeAt = (i: number) =>
      nodes.find((n) => Number(new URL(n.amqpUrl).port) === proxy.targets[i]?.port)?.nodeName ??
      `target ${i + 1}`;
    const survivor = nodes.find((n) => n !== node) as RabbitMqNode;
    const readQueues = () => queuesOf(survivor, vhost).catch(() => [] as QuorumQueueView[]);
    const quorumOf = (queues: QuorumQueueView[]) => queues.filter((q) => q.type === 'quorum');
    const led = quorumOf(await readQueues()).filter((q) => q.leader === node.nodeName).length;

    const started = Date.now();
    await cluster.cluster.ctl(node, 'stop_app');
    const stoppedAt = Date.now();
    // The services' reconnects (amqp-connection-manager retries every 2 s) go through the proxy to the
    // next node that accepts. Not asserted here: the ledger judges the outcome; this is for the table.
    await eventually(
      async () => proxy.openConnectionsByTarget,
      (now) => now[index] === 0 && now.reduce((a, b) => a + b, 0) >= total,
      { timeoutMs: downMs, pollMs: 100 },
    );
    const moved = proxy.openConnectionsByTarget;
    // From the stop command: its connections drop while stop_app runs, which takes seconds.
    const movedMs = Date.now() - started;
    const reelected = await eventually(
      readQueues,
      (queues) =>
        quorumOf(queues).length > 0 && quorumOf(queues).every((q) => q.leader && q.leader !== node.nodeName),
      { timeoutMs: Math.max(1_000, downMs - (Date.now() - stoppedAt)), pollMs: 250 },
    );
    const reelectedOk = quorumOf(reelected).every((q) => q.leader && q.leader !== node.nodeName);
    await sleep(Math.max(0, downMs - (Date.now() - stoppedAt)));
    // Did the services keep working on the two nodes left? Sagas that ended while the node was stopped.
    const endedWhileDown = await db.sagasEndedBetween(stoppedAt, Date.now());

    await cluster.cluster.ctl(node, 'start_app');
    await cluster.cluster.ctl(node, 'await_startup');
    const back = Date.now();
    const online = await eventually(
      readQueues,
      (queues) =>
        quorumOf(queues).length > 0 &&
        quorumOf(queues).every((q) => (q.online ?? []).length === nodes.length),
      { timeoutMs: 60_000, pollMs: 500 },
    );
    const allOnline = quorumOf(online).every((q) => (q.online ?? []).includes(node.nodeName));
    if (!allOnline)
      throw new Error(`${node.nodeName} is not an online member of every quorum queue 60 s after start_app`);
    return (
      `stop_app on ${shortName(node.nodeName)} (${open[index]} of ${total} service connections, leader of ${led} queues); ` +
      `connections ${
        moved[index] === 0
          ? `${moved
              .map((n, i) => (n > 0 ? `${n} on ${shortName(nodeAt(i))}` : ''))
              .filter(Boolean)
              .join(', ')} after ${(movedMs / 1000).toFixed(1)} s`
          : `NOT all moved within ${downMs / 1000} s`
      }; ` +
      `leaders ${reelectedOk ? 're-elected on the others' : 'NOT all re-elected'}; ${endedWhileDown} sagas ended while it was stopped; stop_app took ${((stoppedAt - started) / 1000).toFixed(1)} s, ` +
      `${((back - stoppedAt) / 1000).toFixed(1)} s stopped until start_app and await_startup returned; ` +
      `every member online ${((Date.now() - back) / 1000).toFixed(1)} s after start_app (${((Date.now() - started) / 1000).toFixed(1)} s in all)`
    );
  },
});
