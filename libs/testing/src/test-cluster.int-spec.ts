// Replication proven on real nodes: three project-owned RabbitMQ nodes form a cluster; a quorum queue of
// the topology (inventory-service.commands, with its declared arguments) gets a member on each; its
// leader is stopped under load and restarted, and every confirmed message is still there, once.
import amqp, { type ChannelModel, type ConfirmChannel } from 'amqplib';
import { Exchanges, Queues, ReserveStock, Topology, workQueueArguments } from '@orderly/contracts';
import type { RabbitMqNode } from '@orderly/local-servers';
import { startTestCluster, type TestCluster } from './test-cluster';

interface QuorumQueueInfo {
  leader?: string;
  members?: string[];
  online?: string[];
}

/** GET on a node's management API (its URL carries the administrator, which fetch will not send by itself). */
async function api<T>(node: RabbitMqNode, apiPath: string): Promise<T> {
  const url = new URL(node.managementUrl);
  const auth = Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64');
  const response = await fetch(`http://${url.host}/api${apiPath}`, { headers: { authorization: `Basic ${auth}` } });
  if (!response.ok) throw new Error(`GET ${apiPath} on ${node.nodeName}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

async function until<T>(probe: () => Promise<T | undefined | false>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('a local 3-node RabbitMQ cluster with a quorum queue of the topology', () => {
  const queue = Topology.queues.find((declared) => declared.name === Queues.inventoryCommands);
  const queuePath = `/queues/%2F/${encodeURIComponent(Queues.inventoryCommands)}`;
  let test: TestCluster;
  const connections: ChannelModel[] = [];

  beforeAll(async () => {
    test = await startTestCluster();
  }, 180_000);
  afterAll(async () => {
    await Promise.allSettled(connections.map((connection) => connection.close()));
    await test?.stop();
  }, 90_000);

  async function confirmChannelOn(node: RabbitMqNode): Promise<ConfirmChannel> {
    const connection = await amqp.connect(node.amqpUrl);
    connection.on('error', () => undefined);
    connections.push(connection);
    const channel = await connection.createConfirmChannel();
    channel.on('error', () => undefined);
    return channel;
  }

  /** Publishes `ids` (mandatory, persistent) and resolves once the broker confirmed every one. */
  async function publishConfirmed(channel: ConfirmChannel, ids: string[]): Promise<void> {
    for (const id of ids) {
      channel.publish(Exchanges.inventoryCommands, ReserveStock.type, Buffer.from(JSON.stringify({ id })), {
        messageId: id,
        persistent: true,
        mandatory: true,
      });
    }
    await channel.waitForConfirms();
  }

  it('runs three nodes in one cluster', async () => {
    const { cluster } = test;
    expect(await cluster.runningNodes(cluster.nodes[0] as RabbitMqNode)).toEqual([...cluster.nodeNames].sort());
  });

  it('keeps every confirmed message when the queue leader stops under load and comes back', async () => {
    if (!queue) throw new Error(`${Queues.inventoryCommands} is not in the topology`);
    const { cluster } = test;
    const [first] = cluster.nodes as [RabbitMqNode];
    const setup = await confirmChannelOn(first);
    await setup.assertExchange(Exchanges.inventoryCommands, 'direct', { durable: true });
    await setup.assertQueue(queue.name, { durable: true, arguments: workQueueArguments(queue) });
    await setup.bindQueue(queue.name, Exchanges.inventoryCommands, ReserveStock.type);

    const placed = await until(async () => {
      const info = await api<QuorumQueueInfo>(first, queuePath);
      return info.leader !== undefined && info.members?.length === 3 ? info : undefined;
    }, 'the quorum queue to have a leader and three members');
    expect([...(placed.members ?? [])].sort()).toEqual([...cluster.nodeNames].sort());

    // The fault hits the leader, the harder case: the queue must elect another one.
    const leader = cluster.node(placed.leader as string);
    const survivor = cluster.nodes.find((node) => node !== leader) as RabbitMqNode;
    const publisher = await confirmChannelOn(survivor);
    const ids = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `m-${from + i}`);

    await publishConfirmed(publisher, ids(0, 300));
    // Publishes in flight while the leader goes down: their confirms must still come.
    const during = publishConfirmed(publisher, ids(300, 600));
    await leader.stop();
    await during;
    await publishConfirmed(publisher, ids(600, 900));
    const reelected = await api<QuorumQueueInfo>(survivor, queuePath);
    expect(reelected.leader).not.toBe(leader.nodeName);

    await leader.start();
    await until(async () => {
      const info = await api<QuorumQueueInfo>(survivor, queuePath);
      return info.online?.length === 3;
    }, 'the restarted node to be an online member again');

    // Read everything back through the node that was down.
    const consumer = await confirmChannelOn(leader);
    const received: string[] = [];
    for (;;) {
      const message = await consumer.get(queue.name, { noAck: false });
      if (message === false) break;
      received.push(message.properties.messageId as string);
      consumer.ack(message);
    }
    expect(received).toHaveLength(900);
    expect(new Set(received)).toEqual(new Set(ids(0, 900)));
  }, 180_000);
});
