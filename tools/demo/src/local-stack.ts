import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Services, Vhost } from '@orderly/contracts';
import { PostgresServer, RabbitMqNode } from '@orderly/local-servers';
import { Client } from 'pg';
import { runWorkspaceScript } from './run-workspace-script';

/** The services the demo runs: app folder, Prisma schema folder, and the port we prefer. */
export const StackServices = [
  { name: Services.order, schema: 'order', port: 3001 },
  { name: Services.inventory, schema: 'inventory', port: 3002 },
  { name: Services.payment, schema: 'payment', port: 3003 },
  { name: Services.notification, schema: 'notification', port: 3004 },
] as const;

export interface RunningService {
  name: string;
  url: string;
  logFile: string;
  process: ChildProcess;
}

export interface LocalStackOptions {
  root: string;
  /** Working folder (data, logs) — git-ignored. */
  baseDir: string;
  /** An existing PostgreSQL server (admin URL); without it an embedded PostgreSQL is started. */
  databaseUrl?: string;
  progress: (line: string) => void;
}

/**
 * Broker, databases and the four services on this machine, with nothing installed but Node.js and
 * RabbitMQ: a project-owned RabbitMQ node, an embedded PostgreSQL (unless DATABASE_URL names a server),
 * the topology provisioned with one broker user per service, one database per service with its
 * migrations, and each service as its own process. `stop()` shuts everything down in reverse order.
 */
export class LocalStack {
  readonly services: RunningService[] = [];
  broker?: RabbitMqNode;
  postgres?: PostgresServer;
  private stopping = false;

  constructor(private readonly options: LocalStackOptions) {}

  /** Starts everything; on failure stops what already started and rethrows. */
  async start(): Promise<void> {
    try {
      await this.boot();
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  get managementUrl(): string {
    if (!this.broker) throw new Error('the stack has not started');
    return this.broker.managementUrl;
  }

  private async boot(): Promise<void> {
    const { root, baseDir, progress } = this.options;
    // Every run starts from nothing: the broker's admin and the database's password are new each time,
    // and a previous run's data (queues, orders) would make the demo's output depend on history.
    await Promise.all([
      RabbitMqNode.stopExisting(path.join(baseDir, 'rabbitmq')),
      PostgresServer.stopExisting(path.join(baseDir, 'postgres')),
    ]);
    rmSync(baseDir, { recursive: true, force: true });
    mkdirSync(path.join(baseDir, 'logs'), { recursive: true });
    const secret = randomBytes(9).toString('base64url');

    const broker = new RabbitMqNode({
      baseDir: path.join(baseDir, 'rabbitmq'),
      nodeName: 'orderly-demo@localhost',
      amqpPort: await preferredPort(5672),
      managementPort: await preferredPort(15672),
      prometheusPort: await preferredPort(15692),
      distPort: await preferredPort(25673),
      confFile: path.join(root, 'apps/broker/rabbitmq/rabbitmq.conf'),
      enabledPluginsFile: path.join(root, 'apps/broker/rabbitmq/enabled_plugins'),
      adminUser: 'orderly-admin',
      adminPassword: secret,
    });
    this.broker = broker;
    const adminDatabaseUrl = this.options.databaseUrl;
    const postgres = adminDatabaseUrl
      ? undefined
      : new PostgresServer({
          dataDir: path.join(baseDir, 'postgres'),
          port: await preferredPort(54329),
          password: secret,
        });
    this.postgres = postgres;
    progress('starting RabbitMQ (project-owned node, ~20 s) and PostgreSQL…');
    await Promise.all([
      broker.start().then(() => progress(`RabbitMQ is up: ${redact(broker.managementUrl)}`)),
      postgres?.start().then(() => progress('embedded PostgreSQL is up')),
    ]);
    this.ensureNotStopping();
    const serverUrl = adminDatabaseUrl ?? postgres?.adminUrl ?? '';

    progress(
      'provisioning the broker topology (vhost, exchanges, quorum queues, DLQs, one user per service)…',
    );
    const passwords = Object.fromEntries(
      StackServices.map((s) => [
        `BROKER_PASSWORD_${s.name.toUpperCase().replace(/-/g, '_')}`,
        `${s.name}-${secret}`,
      ]),
    );
    await runWorkspaceScript(
      root,
      'apps/broker/src/cli.ts',
      ['provision', '--url', broker.managementUrl],
      passwords,
    );

    progress('creating one database per service and applying its migrations…');
    const databaseUrls = await Promise.all(
      StackServices.map(async (service) => {
        const url = await ensureDatabase(serverUrl, `orderly_${service.schema}`);
        await runWorkspaceScript(root, 'tools/prisma-migrate/src/cli.ts', [
          'deploy',
          '--service',
          service.schema,
          '--url',
          url,
        ]);
        return url;
      }),
    );

    const amqpBase = new URL(broker.amqpUrl);
    for (const [index, service] of StackServices.entries()) {
      this.ensureNotStopping();
      const port = await preferredPort(service.port);
      const amqpUrl = new URL(amqpBase);
      amqpUrl.username = service.name;
      amqpUrl.password = `${service.name}-${secret}`;
      amqpUrl.pathname = `/${Vhost}`;
      const logFile = path.join(baseDir, 'logs', `${service.name}.log`);
      const log = createWriteStream(logFile, { flags: 'w' });
      const child = spawn(
        process.execPath,
        [path.join(root, 'tools/scripts/run-ts.mjs'), path.join(root, 'apps', service.name, 'src/main.ts')],
        {
          cwd: root,
          env: {
            PATH: process.env['PATH'] ?? '',
            HOME: process.env['HOME'] ?? '',
            PORT: String(port),
            DATABASE_URL: databaseUrls[index] ?? '',
            AMQP_URL: amqpUrl.toString(),
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      child.stdout?.pipe(log);
      child.stderr?.pipe(log);
      child.once('exit', (code, signal) => {
        if (!this.stopping) progress(`✖ ${service.name} exited (${code ?? signal}); its log: ${logFile}`);
      });
      this.services.push({ name: service.name, url: `http://127.0.0.1:${port}`, logFile, process: child });
    }
    progress(`starting ${this.services.map((s) => s.name).join(', ')}…`);
    await Promise.all(
      this.services.map((service) =>
        waitForReady(service).then(() => progress(`${service.name} is ready at ${service.url}`)),
      ),
    );
  }

  private ensureNotStopping(): void {
    if (this.stopping) throw new Error('stopped while starting');
  }

  /** SIGTERM to every service (they drain and close), then the broker and the database. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(
      this.services.map(
        (service) =>
          new Promise<void>((resolve) => {
            if (service.process.exitCode !== null || service.process.signalCode !== null) return resolve();
            const timer = setTimeout(() => service.process.kill('SIGKILL'), 15_000);
            service.process.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            service.process.kill('SIGTERM');
          }),
      ),
    );
    await Promise.allSettled([this.broker?.stop(), this.postgres?.stop()]);
  }
}

async function waitForReady(service: RunningService, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (service.process.exitCode !== null) throw new Error(`${service.name} exited; see ${service.logFile}`);
    try {
      const response = await fetch(`${service.url}/health/ready`);
      if (response.ok) return;
      last = `${response.status} ${await response.text()}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(
    `${service.name} not ready within ${timeoutMs / 1000} s (last answer: ${last}); see ${service.logFile}`,
  );
}

async function ensureDatabase(serverUrl: string, name: string): Promise<string> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The usual port when it is free (so the URLs in the docs work), any free port otherwise. */
async function preferredPort(port: number): Promise<number> {
  const tryListen = (candidate: number) =>
    new Promise<number | undefined>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(undefined));
      server.listen(candidate, '127.0.0.1', () => {
        const { port: bound } = server.address() as net.AddressInfo;
        server.close(() => resolve(bound));
      });
    });
  const chosen = (await tryListen(port)) ?? (await tryListen(0));
  if (chosen === undefined) throw new Error('no free TCP port on 127.0.0.1');
  return chosen;
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
