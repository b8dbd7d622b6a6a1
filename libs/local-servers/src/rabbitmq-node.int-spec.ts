import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect } from 'amqplib';
import { epmdNames } from './epmd';
import { freePort, portAnswers } from './free-port';
import { processesWithEnvironment } from './os-processes';
import { RabbitMqNode } from './rabbitmq-node';

const root = path.resolve(__dirname, '../../..');

// One node for the whole file (a boot costs 8–20 s): started with a definitions file, checked from
// outside, then stopped by the last test, which checks that nothing of it is left.
describe('RabbitMqNode', () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'orderly-rabbitmq-node-'));
  chmodSync(work, 0o755);
  const baseDir = path.join(work, 'node');
  let node: RabbitMqNode;
  let epmdPort: number;
  let managementPort: number;

  const api = async (apiPath: string, user = 'it-admin', password = 'it-secret#1') =>
    fetch(`http://127.0.0.1:${managementPort}/api${apiPath}`, {
      headers: { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` },
    });

  beforeAll(async () => {
    // The definitions file sits where the node's user (rabbitmq, when we are root) cannot read it:
    // the node must work from its own copy.
    mkdirSync(path.join(work, 'private'), { mode: 0o700 });
    const definitionsFile = path.join(work, 'private', 'definitions.json');
    writeFileSync(
      definitionsFile,
      JSON.stringify({
        vhosts: [{ name: 'orderly-it' }],
        queues: [{ name: 'it.inbox', vhost: 'orderly-it', durable: true, auto_delete: false, arguments: {} }],
      }),
    );
    epmdPort = await freePort();
    managementPort = await freePort();
    node = new RabbitMqNode({
      baseDir,
      nodeName: `orderly-it-${process.pid}@localhost`,
      amqpPort: await freePort(),
      managementPort,
      prometheusPort: await freePort(),
      distPort: await freePort(),
      epmdPort,
      confFile: path.join(root, 'apps/broker/rabbitmq/rabbitmq.conf'),
      enabledPluginsFile: path.join(root, 'apps/broker/rabbitmq/enabled_plugins'),
      adminUser: 'it-admin',
      // A '#' would end the value in rabbitmq.conf; through definitions it must just work.
      adminPassword: 'it-secret#1',
      definitionsFile,
      settings: { 'disk_free_limit.absolute': '50MB' },
    });
    await node.start();
  }, 120_000);

  afterAll(async () => {
    await node?.stop();
    rmSync(work, { recursive: true, force: true });
  }, 60_000);

  it("imports the definitions file's vhost and queue at boot", async () => {
    const vhosts = (await (await api('/vhosts')).json()) as { name: string }[];
    expect(vhosts.map((v) => v.name).sort()).toEqual(['/', 'orderly-it']);
    expect((await api('/queues/orderly-it/it.inbox')).status).toBe(200);
  });

  it('keeps its administrator although definitions were imported, and creates no guest', async () => {
    const whoami = (await (await api('/whoami')).json()) as { name: string; tags: string[] | string };
    expect(whoami.name).toBe('it-admin');
    expect(String(whoami.tags)).toContain('administrator');
    expect((await api('/users/guest')).status).toBe(404);
  });

  it('lets the administrator in over AMQP, into / and into the imported vhost', async () => {
    for (const vhost of ['/', 'orderly-it']) {
      const url = new URL(node.amqpUrl);
      url.pathname = `/${encodeURIComponent(vhost)}`;
      const connection = await connect(url.toString());
      const channel = await connection.createChannel();
      await channel.checkQueue(
        vhost === '/' ? (await channel.assertQueue('', { exclusive: true })).queue : 'it.inbox',
      );
      await connection.close();
    }
  });

  it('serves aggregated Prometheus metrics, and per-queue ones at /metrics/per-object', async () => {
    const aggregated = await (await fetch(`${node.prometheusUrl}/metrics`)).text();
    expect(aggregated).toMatch(/^rabbitmq_queues \d+/m);
    expect(aggregated).not.toContain('queue="it.inbox"');
    const perObject = await (await fetch(`${node.prometheusUrl}/metrics/per-object`)).text();
    expect(perObject).toMatch(/^rabbitmq_queue_messages\{[^}]*queue="it.inbox"/m);
  });

  it('is seen as running and ready by another process, through its folder', async () => {
    const status = await RabbitMqNode.status(baseDir);
    expect(status).toMatchObject({
      running: true,
      ready: true,
      amqpUrl: node.amqpUrl,
      managementUrl: node.managementUrl,
    });
  });

  it('stops and leaves no process behind: no VM, no helper, no epmd', async () => {
    const ownProcesses = () => processesWithEnvironment('RABBITMQ_BASE', baseDir);
    expect(ownProcesses().length).toBeGreaterThan(0);
    expect(await epmdNames(epmdPort)).toEqual([`orderly-it-${process.pid}`]);

    await node.stop();

    expect(ownProcesses()).toEqual([]);
    expect(await portAnswers(epmdPort)).toBe(false);
    expect(await portAnswers(managementPort)).toBe(false);
    expect(await RabbitMqNode.status(baseDir)).toEqual({ running: false, ready: false });
  }, 60_000);
});
