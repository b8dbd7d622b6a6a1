import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { type ServiceName, Vhost } from '@orderly/contracts';
import {
  type DatabaseUrls,
  migrateServiceDatabases,
  runWorkspaceScript,
  seedInventory,
  ServiceFleet,
  StackServices,
} from '@orderly/local-stack';
import { PostgresServer, RabbitMqNode } from '@orderly/local-servers';
import { Client } from 'pg';

export interface LocalStackOptions {
  root: string;
  /** Working folder (data, logs) — git-ignored. */
  baseDir: string;
  /** An existing PostgreSQL server (admin URL); without it an embedded PostgreSQL is started. */
  databaseUrl?: string;
  progress: (line: string) => void;
  /** Settings per service on top of PORT, DATABASE_URL and AMQP_URL. */
  serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
}

/**
 * Broker, databases and the four services on this machine, with nothing installed but Node.js and
 * RabbitMQ: a project-owned RabbitMQ node, an embedded PostgreSQL (unless DATABASE_URL names a server),
 * the topology provisioned with one broker user per service, one database per service with its
 * migrations, and each service as its own process. `stop()` shuts everything down in reverse order.
 */
export class LocalStack {
  fleet?: ServiceFleet;
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

  get services() {
    return this.fleet?.services ?? [];
  }

  url(service: ServiceName): string {
    if (!this.fleet) throw new Error('the stack has not started');
    return this.fleet.url(service);
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
      postgres
        ?.start()
        .then(() => progress(`embedded PostgreSQL is up on ${new URL(postgres.adminUrl).host}`)),
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
    const databaseUrls = Object.fromEntries(
      await Promise.all(
        StackServices.map(async (s) => [s.schema, await ensureDatabase(serverUrl, `orderly_${s.schema}`)]),
      ),
    ) as DatabaseUrls;
    await migrateServiceDatabases(databaseUrls);
    progress("loading the sample catalogue and stock into inventory-service's database…");
    progress(`inventory seeded: ${await seedInventory(databaseUrls.inventory)}`);
    this.ensureNotStopping();

    const amqpBase = new URL(broker.amqpUrl);
    const specs = [];
    for (const service of StackServices) {
      const amqpUrl = new URL(amqpBase);
      amqpUrl.username = service.name;
      amqpUrl.password = `${service.name}-${secret}`;
      amqpUrl.pathname = `/${Vhost}`;
      specs.push({
        name: service.name,
        port: await preferredPort(service.port),
        env: {
          DATABASE_URL: databaseUrls[service.schema],
          AMQP_URL: amqpUrl.toString(),
          ...this.options.serviceEnv?.[service.name],
        },
      });
    }
    progress(`starting ${specs.map((s) => s.name).join(', ')} (each compiles and boots, ~10–20 s)…`);
    this.fleet = new ServiceFleet({ root, services: specs, logDir: path.join(baseDir, 'logs'), progress });
    await this.fleet.start();
  }

  private ensureNotStopping(): void {
    if (this.stopping) throw new Error('stopped while starting');
  }

  /** SIGTERM to every service (they drain and close), then the broker and the database. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.fleet?.stop();
    await Promise.allSettled([this.broker?.stop(), this.postgres?.stop()]);
  }
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
