// A node of its own (~15 s): the only way to see RabbitMQ load the committed definitions.json at boot,
// as the Docker image does. The run's shared broker cannot show it (it booted without definitions).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import amqp from 'amqplib';
import { Queues, Services, Topology, resolveQueues } from '@orderly/contracts';
import { RabbitMqNode, serverFolder } from '@orderly/local-servers';
import { freePort, managementApi } from '@orderly/testing';
import { BrokerFiles, workspaceRoot } from '../broker-settings';
import { apiPath } from '../provision/management-client';

describe('a RabbitMQ node booting with apps/broker/definitions.json', () => {
  let baseDir: string;
  let node: RabbitMqNode;

  beforeAll(async () => {
    // As root the node runs as user rabbitmq, which must reach its folder (see serverFolder).
    const parent = serverFolder(path.join(workspaceRoot, '.local', 'test-servers'));
    mkdirSync(parent, { recursive: true });
    baseDir = mkdtempSync(path.join(parent, 'broker-boot-'));
    node = new RabbitMqNode({
      baseDir,
      nodeName: `orderly-boot-${process.pid}@localhost`,
      amqpPort: await freePort(),
      managementPort: await freePort(),
      prometheusPort: await freePort(),
      distPort: await freePort(),
      epmdPort: await freePort(),
      confFile: BrokerFiles.rabbitmqConf,
      enabledPluginsFile: BrokerFiles.enabledPlugins,
      adminUser: 'boot-admin',
      adminPassword: `boot-${Math.random().toString(36).slice(2)}`,
      definitionsFile: BrokerFiles.definitions,
      settings: { 'disk_free_limit.absolute': '50MB' },
    });
    await node.start();
  }, 120_000);
  afterAll(async () => {
    await node?.stop();
    if (baseDir) rmSync(baseDir, { recursive: true, force: true });
  }, 60_000);

  it('has the vhost, every queue with its arguments, and the policies before the first client connects', async () => {
    const api = managementApi(node.managementUrl);
    await expect(api('GET', apiPath`/vhosts/${Topology.vhost}`)).resolves.toMatchObject({
      name: Topology.vhost,
    });
    const queues = await api<Array<{ name: string; arguments: Record<string, unknown> }>>(
      'GET',
      apiPath`/queues/${Topology.vhost}`,
    );
    expect(queues.map((q) => [q.name, q.arguments]).sort()).toEqual(
      resolveQueues(Topology)
        .map((q) => [q.name, q.arguments])
        .sort(),
    );
    const policies = await api<Array<{ name: string }>>('GET', apiPath`/policies/${Topology.vhost}`);
    expect(policies.map((p) => p.name)).toEqual(Topology.policies.map((p) => p.name));
  });

  it('has the service users, who cannot log in until provisioned', async () => {
    const api = managementApi(node.managementUrl);
    const users = await api<Array<{ name: string; password_hash: string }>>('GET', '/users');
    for (const service of Topology.services) {
      expect(users.find((u) => u.name === service.name)?.password_hash).toBe('');
    }
    const url = new URL(node.amqpUrl);
    url.username = Services.payment;
    url.password = 'anything';
    url.pathname = `/${Topology.vhost}`;
    await expect(amqp.connect(url.toString())).rejects.toThrow(/ACCESS-REFUSED/);

    // The administrator added beside the definitions works, over AMQP too.
    const admin = new URL(node.amqpUrl);
    admin.pathname = `/${Topology.vhost}`;
    const connection = await amqp.connect(admin.toString());
    const channel = await connection.createChannel();
    await expect(channel.checkQueue(Queues.orderSagaReplies)).resolves.toMatchObject({ messageCount: 0 });
    await connection.close();
  });
});
