import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { connect, type ChannelModel } from 'amqplib';
import type { BenchSettings } from './bench-settings';

/** The broker every suite of one run shares: started here, or one given through BENCH_AMQP_URL. */
export interface BenchBroker {
  rabbitmqVersion: string;
  /** http://admin:pass@host:port of the management API (for suites that provision with the broker CLI). */
  managementUrl: string;
  /** Deletes a broker user (users are global: a suite that creates some removes them). */
  deleteUser(name: string): Promise<void>;
  /** A vhost of its own for one suite: its queues never meet another suite's, and go with it. */
  createVhost(prefix: string): Promise<BenchVhost>;
  stop(): Promise<void>;
}

export interface BenchVhost {
  name: string;
  /** amqp:// URL of the administrator into this vhost. */
  amqpUrl: string;
  /** Declares a durable queue with these arguments (`x-queue-type` among them). */
  declareQueue(queue: string, args: Record<string, string | number>): Promise<void>;
  deleteQueue(queue: string): Promise<void>;
  /** Ready messages in the queue, read over AMQP (the management API's counts lag by seconds). */
  readyMessages(queue: string): Promise<number>;
  dispose(): Promise<void>;
}

const workspaceRoot = path.resolve(__dirname, '../..');

export async function startBenchBroker(
  settings: BenchSettings,
  log: (line: string) => void,
): Promise<BenchBroker> {
  if (settings.existingBroker) {
    const { amqpUrl, managementUrl } = settings.existingBroker;
    log(`using the broker at ${redact(managementUrl)}`);
    return brokerAt(amqpUrl, managementUrl, async () => undefined);
  }
  // Loaded only when needed, so a run against BENCH_AMQP_URL works whatever state local-servers is in.
  const { RabbitMqNode, freePort, serverFolder } = await import('@orderly/local-servers');
  const baseDir = path.join(serverFolder(path.join(workspaceRoot, '.local', 'bench')), String(process.pid));
  rmSync(baseDir, { recursive: true, force: true });
  const adminUser = 'orderly-bench';
  const adminPassword = `bench-${randomBytes(6).toString('hex')}`;
  const node = new RabbitMqNode({
    baseDir,
    nodeName: `orderly-bench-${process.pid}@localhost`,
    amqpPort: await freePort(),
    managementPort: await freePort(),
    prometheusPort: await freePort(),
    distPort: await freePort(),
    // An epmd of its own: the benchmark neither depends on nor disturbs other Erlang nodes here.
    epmdPort: await freePort(),
    confFile: path.join(workspaceRoot, 'apps/broker/rabbitmq/rabbitmq.conf'),
    enabledPluginsFile: path.join(workspaceRoot, 'apps/broker/rabbitmq/enabled_plugins'),
    adminUser,
    adminPassword,
    // As for the test harness: the broker's 1GB disk floor would block publishers on a developer
    // machine with less free disk, and the run would hang instead of measuring.
    settings: { 'disk_free_limit.absolute': '50MB' },
  });
  log('starting a RabbitMQ node for the benchmark (about 20 s)…');
  const started = Date.now();
  try {
    await node.start();
  } catch (error) {
    await node.stop().catch(() => undefined);
    throw error;
  }
  log(`RabbitMQ ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const managementUrl = withCredentials(node.managementUrl, adminUser, adminPassword);
  const amqpUrl = withCredentials(node.amqpUrl, adminUser, adminPassword);
  return brokerAt(amqpUrl, managementUrl, async () => {
    await node.stop();
    rmSync(baseDir, { recursive: true, force: true });
  });
}

async function brokerAt(
  amqpUrl: string,
  managementUrl: string,
  stop: () => Promise<void>,
): Promise<BenchBroker> {
  const api = managementApi(managementUrl);
  const overview = await api<{ rabbitmq_version: string }>('GET', '/overview');
  const admin = decodeURIComponent(new URL(managementUrl).username);
  return {
    rabbitmqVersion: overview.rabbitmq_version,
    managementUrl,
    deleteUser: (name) => api('DELETE', `/users/${encodeURIComponent(name)}`).then(() => undefined),
    stop,
    async createVhost(prefix) {
      const name = `${prefix}-${randomBytes(3).toString('hex')}`;
      const vhostPath = `/${encodeURIComponent(name)}`;
      await api('PUT', `/vhosts${vhostPath}`, {});
      await api('PUT', `/permissions${vhostPath}/${encodeURIComponent(admin)}`, {
        configure: '.*',
        write: '.*',
        read: '.*',
      });
      const url = new URL(amqpUrl);
      url.pathname = vhostPath;
      let inspector: Promise<ChannelModel> | undefined;
      return {
        name,
        amqpUrl: url.toString(),
        declareQueue: (queue, args) =>
          api('PUT', `/queues${vhostPath}/${encodeURIComponent(queue)}`, {
            durable: true,
            auto_delete: false,
            arguments: args,
          }).then(() => undefined),
        deleteQueue: (queue) =>
          api('DELETE', `/queues${vhostPath}/${encodeURIComponent(queue)}`).then(() => undefined),
        async readyMessages(queue) {
          inspector ??= connect(url.toString());
          const channel = await (await inspector).createChannel();
          try {
            return (await channel.checkQueue(queue)).messageCount;
          } finally {
            await channel.close();
          }
        },
        async dispose() {
          await (await inspector)?.close().catch(() => undefined);
          await api('DELETE', `/vhosts${vhostPath}`);
        },
      };
    },
  };
}

type ManagementApi = <T = unknown>(method: string, apiPath: string, body?: unknown) => Promise<T>;

/** A tiny client of RabbitMQ's management HTTP API, authenticated by the URL's user info. */
function managementApi(managementUrl: string): ManagementApi {
  const url = new URL(managementUrl);
  const auth = Buffer.from(
    `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`,
  ).toString('base64');
  const base = `${url.protocol}//${url.host}/api`;
  return async <T>(method: string, apiPath: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${base}${apiPath}`, {
      method,
      headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok)
      throw new Error(`management API ${method} ${apiPath}: ${response.status} ${await response.text()}`);
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  };
}

function withCredentials(raw: string, user: string, password: string): string {
  const url = new URL(raw);
  if (!url.username) {
    url.username = encodeURIComponent(user);
    url.password = encodeURIComponent(password);
  }
  return url.toString();
}

function redact(raw: string): string {
  const url = new URL(raw);
  if (url.password) url.password = '***';
  return url.toString();
}
