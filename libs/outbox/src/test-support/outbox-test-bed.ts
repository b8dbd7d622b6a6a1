import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type DynamicModule, Global, type INestApplication, Module, type Provider, type Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { resolveExchanges, resolveQueues, type TopologyDeclaration } from '@orderly/contracts';
import { AmqpClient, AmqpServer, MessagingModule, type MessagingModuleOptions } from '@orderly/messaging';
import { PrismaClient as OrderDatabase } from '@orderly/order-db';
import { createTestDatabase, createTestVhost, type TestDatabase, type TestVhost, workspaceRoot } from '@orderly/testing';
import { PrismaPg } from '@prisma/adapter-pg';
import { connect, type ChannelModel, type ConfirmChannel, type GetMessage } from 'amqplib';
import { Client, Pool } from 'pg';
import type { OutboxSettings } from '../outbox-defaults';
import type { OutboxHooks } from '../outbox-hooks';
import { OUTBOX_METRICS, type OutboxMetrics, type PublishFailureReason } from '../outbox-metrics';
import { type OutboxModuleOptions, resolveOutboxOptions } from '../outbox-options';
import { OutboxModule } from '../outbox.module';
import { OutboxRelay, type RelayCrashPoints } from '../outbox-relay';
import { OutboxWriter } from '../outbox-writer';
import { ParcelMoved, ShopService, ShopTopology } from './shop-topology';

/** Settings that make the relay react within a test's patience; the rest are the defaults. */
const FastSettings: Partial<OutboxSettings> = {
  transportRetryDelayMs: 200,
  retryBaseDelayMs: 200,
  retryMaxDelayMs: 1_000,
  listenReconnectDelayMs: 200,
  backlogIntervalMs: 200,
  shutdownTimeoutMs: 10_000,
};

/** The service database the tests write to: order-service's, migrated by its committed migrations. */
const SERVICE = 'order';

/**
 * One test file's world: a PostgreSQL database migrated with a service's real migrations (so the
 * outbox tables are exactly what services deploy), a broker vhost with the shop topology, a service's
 * generated Prisma client, and ways to read outcomes exactly (rows, queue contents).
 */
export class OutboxTestBed {
  readonly prisma: OrderDatabase;
  private readonly pool: Pool;
  private readonly apps: INestApplication[] = [];
  private readonly relays: OutboxRelay[] = [];
  private admin?: Promise<{ connection: ChannelModel; channel: ConfirmChannel }>;

  private constructor(
    readonly database: TestDatabase,
    readonly vhost: TestVhost,
  ) {
    this.prisma = new OrderDatabase({ adapter: new PrismaPg({ connectionString: database.url }) });
    this.pool = new Pool({ connectionString: database.url, max: 4 });
    this.pool.on('error', () => undefined);
  }

  static async create(prefix: string): Promise<OutboxTestBed> {
    const [database, vhost] = await Promise.all([createTestDatabase(prefix), createTestVhost(prefix)]);
    await applyServiceMigrations(database.url);
    const bed = new OutboxTestBed(database, vhost);
    await bed.provision(ShopTopology);
    return bed;
  }

  /** The module options a service would pass, with fast test timings and `overrides`. */
  options(overrides: Partial<OutboxModuleOptions> = {}): OutboxModuleOptions {
    return { database: this.prisma, databaseUrl: this.database.url, ...FastSettings, ...overrides };
  }

  writer(hooks?: OutboxHooks, notify = true): OutboxWriter {
    return new OutboxWriter({ notify }, hooks);
  }

  /** Adds the messages in one transaction of the service's client and commits. */
  async commit(messages: readonly ParcelMoved[], writer = this.writer()): Promise<void> {
    await this.prisma.$transaction(async (tx) => writer.add(tx, ParcelMoved, messages));
  }

  /**
   * A Nest application wired like a service: MessagingModule (and, with `outbox`, OutboxModule), with
   * `controllers` consuming the shop-service queues when given. Closed by `dispose()`.
   */
  async service(
    options: {
      controllers?: Type[];
      providers?: Provider[];
      outbox?: Partial<OutboxModuleOptions>;
      messaging?: Partial<MessagingModuleOptions>;
      /** Provided under OUTBOX_METRICS by a global module, as the observability wiring will. */
      metrics?: OutboxMetrics;
      /** More modules to import (e.g. a global one providing OUTBOX_HOOKS). */
      modules?: Type[];
    } = {},
  ): Promise<INestApplication> {
    const { controllers = [], providers = [] } = options;
    const connectionName = `${ShopService}#${randomBytes(3).toString('hex')}`;
    const imports: Array<DynamicModule | Type> = [
      MessagingModule.forRoot({
        url: this.vhost.amqpUrl,
        connectionName,
        service: ShopService,
        topology: ShopTopology,
        reconnectSeconds: 1,
        confirmTimeoutMs: 2_000,
        backpressureTimeoutMs: 2_000,
        channelReopenDelayMs: 200,
        ...options.messaging,
      }),
    ];
    if (options.outbox) imports.push(OutboxModule.forRoot(this.options(options.outbox)));
    if (options.metrics) imports.push(MetricsModule.providing(options.metrics));
    imports.push(...(options.modules ?? []));
    const moduleRef = await Test.createTestingModule({
      imports,
      controllers,
      providers: [...providers, { provide: CONNECTION_NAME, useValue: connectionName }],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: ['error', 'warn'] });
    this.apps.push(app);
    if (controllers.length > 0) {
      app.connectMicroservice({ strategy: app.get(AmqpServer) }, { inheritAppConfig: true });
      await app.startAllMicroservices();
    }
    await app.init();
    return app;
  }

  /** A relay publishing through `app`'s AmqpClient, started; stopped by `dispose()` unless stopped before. */
  startRelay(
    app: INestApplication,
    extras: { settings?: Partial<OutboxSettings>; metrics?: OutboxMetrics; hooks?: OutboxHooks; crashPoints?: RelayCrashPoints; name?: string } = {},
  ): OutboxRelay {
    const settings = resolveOutboxOptions(this.options(extras.settings));
    const relay = new OutboxRelay({
      databaseUrl: this.database.url,
      name: extras.name ?? `test-relay-${this.relays.length + 1}`,
      settings,
      client: app.get(AmqpClient),
      hooks: extras.hooks,
      metrics: extras.metrics,
      crashPoints: extras.crashPoints,
    });
    this.relays.push(relay);
    relay.start();
    return relay;
  }

  async query<T extends object = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.pool.query<T>(sql, params)).rows;
  }

  async unsent(): Promise<number> {
    const [row] = await this.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox WHERE sent_at IS NULL');
    return row.n;
  }

  /** Outbox rows by message id: whether sent, and how often refused. */
  async rows(): Promise<Map<string, { sent: boolean; attempts: number; lastError: string | null }>> {
    const rows = await this.query<{ message_id: string; sent: boolean; attempts: number; last_error: string | null }>(
      'SELECT message_id, sent_at IS NOT NULL AS sent, attempts, last_error FROM outbox ORDER BY id',
    );
    return new Map(rows.map((r) => [r.message_id, { sent: r.sent, attempts: r.attempts, lastError: r.last_error }]));
  }

  /** Declares every exchange, queue and binding of `topology`, as `npm run broker -- provision` does. */
  async provision(topology: TopologyDeclaration): Promise<void> {
    const channel = await this.channel();
    for (const exchange of resolveExchanges(topology)) await channel.assertExchange(exchange.name, exchange.type, { durable: true });
    for (const queue of resolveQueues(topology)) {
      await channel.assertQueue(queue.name, { durable: true, arguments: queue.arguments });
      for (const binding of queue.bindings) await channel.bindQueue(queue.name, binding.exchange, binding.routingKey);
    }
  }

  async bindQueue(queue: string, exchange: string, routingKey: string): Promise<void> {
    const channel = await this.channel();
    await channel.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    await channel.bindQueue(queue, exchange, routingKey);
  }

  /**
   * Takes every message out of a queue, in queue order. Call it once the relay marked the rows sent:
   * a mark follows the broker's confirm, and a confirmed message is in the queue.
   */
  async takeAll(queue: string): Promise<GetMessage[]> {
    const channel = await this.channel();
    const taken: GetMessage[] = [];
    for (;;) {
      const message = await channel.get(queue, { noAck: true });
      if (message === false) return taken;
      taken.push(message);
    }
  }

  /** Ready messages in a queue (exact: a passive declare). */
  async ready(queue: string): Promise<number> {
    return (await (await this.channel()).checkQueue(queue)).messageCount;
  }

  /**
   * The broker goes away for this vhost: the test user loses its permissions (so reconnects are
   * refused) and its connections are closed, `services` among them. The management API lists a new
   * connection only after its next statistics round (seconds), hence the wait for the services' ones.
   */
  async cutBroker(services: INestApplication[]): Promise<void> {
    const user = decodeURIComponent(new URL(this.vhost.managementUrl).username);
    const vhostPath = encodeURIComponent(this.vhost.vhost);
    await this.vhost.api('DELETE', `/permissions/${vhostPath}/${encodeURIComponent(user)}`);
    const wanted = services.map((app) => app.get(CONNECTION_NAME) as string);
    const listed = await waitFor(
      async () => {
        const connections = await this.vhost.api<Array<{ name: string; client_properties?: { connection_name?: string } }>>(
          'GET',
          `/vhosts/${vhostPath}/connections`,
        );
        const names = connections.map((c) => c.client_properties?.connection_name);
        return wanted.every((name) => names.includes(name)) ? connections : undefined;
      },
      { what: `connections ${wanted.join(', ')} listed by the management API` },
    );
    for (const c of listed) await this.vhost.api('DELETE', `/connections/${encodeURIComponent(c.name)}`).catch(() => undefined);
    const admin = await this.admin?.catch(() => undefined);
    this.admin = undefined;
    await admin?.connection.close().catch(() => undefined);
    // Proof that the broker is gone for this user: a new connection is refused.
    await expectRefused(this.vhost.amqpUrl);
  }

  async restoreBroker(): Promise<void> {
    const user = decodeURIComponent(new URL(this.vhost.managementUrl).username);
    await this.vhost.api('PUT', `/permissions/${encodeURIComponent(this.vhost.vhost)}/${encodeURIComponent(user)}`, {
      configure: '.*',
      write: '.*',
      read: '.*',
    });
  }

  /** A LISTEN connection on the outbox's channel, counting notifications. */
  async listen(channel: string): Promise<{ count(): number; close(): Promise<void> }> {
    const client = new Client({ connectionString: this.database.url });
    client.on('error', () => undefined);
    await client.connect();
    let count = 0;
    client.on('notification', () => count++);
    await client.query(`LISTEN ${channel}`);
    return { count: () => count, close: () => client.end() };
  }

  async dispose(): Promise<void> {
    await Promise.allSettled(this.relays.map((relay) => relay.stop()));
    await Promise.allSettled(this.apps.map((app) => app.close()));
    const admin = await this.admin?.catch(() => undefined);
    await admin?.connection.close().catch(() => undefined);
    await this.prisma.$disconnect();
    await this.pool.end();
    await Promise.allSettled([this.database.dispose(), this.vhost.dispose()]);
  }

  private async channel(): Promise<ConfirmChannel> {
    this.admin ??= (async () => {
      const connection = await connect(this.vhost.amqpUrl);
      connection.on('error', () => undefined);
      connection.on('close', () => (this.admin = undefined));
      const channel = await connection.createConfirmChannel();
      channel.on('error', () => undefined);
      channel.on('close', () => (this.admin = undefined));
      return { connection, channel };
    })().catch((error: unknown) => {
      this.admin = undefined;
      throw error;
    });
    return (await this.admin).channel;
  }
}

/** The broker connection name of a service started by the test bed (unique, so a test can close it). */
const CONNECTION_NAME = Symbol('CONNECTION_NAME');

/** Resolves once connecting to `url` is refused (the user has no access to the vhost). */
async function expectRefused(url: string): Promise<void> {
  await waitFor(
    async () => {
      try {
        const connection = await connect(url);
        await connection.close();
        return false;
      } catch {
        return true;
      }
    },
    { what: 'the broker to refuse connections' },
  );
}

@Global()
@Module({})
class MetricsModule {
  static providing(metrics: OutboxMetrics): DynamicModule {
    return { module: MetricsModule, providers: [{ provide: OUTBOX_METRICS, useValue: metrics }], exports: [OUTBOX_METRICS] };
  }
}

/** Applies a service's committed migrations, in order, as `prisma migrate deploy` would. */
async function applyServiceMigrations(url: string): Promise<void> {
  const dir = path.join(workspaceRoot(), 'prisma', SERVICE, 'migrations');
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    for (const name of readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort()) {
      await client.query(readFileSync(path.join(dir, name, 'migration.sql'), 'utf8'));
    }
  } finally {
    await client.end();
  }
}

/** Counts what a relay or the inbox reports, for assertions. */
export class RecordingMetrics implements OutboxMetrics {
  publishedTotal = 0;
  readonly latenciesSeconds: number[] = [];
  readonly failures = new Map<PublishFailureReason, number>();
  readonly duplicates = new Map<string, number>();
  lastBacklog?: { messages: number; oldestAgeSeconds: number };

  published(count: number): void {
    this.publishedTotal += count;
  }
  commitToConfirm(seconds: number): void {
    this.latenciesSeconds.push(seconds);
  }
  publishFailed(reason: PublishFailureReason, count: number): void {
    this.failures.set(reason, (this.failures.get(reason) ?? 0) + count);
  }
  backlog(messages: number, oldestAgeSeconds: number): void {
    this.lastBacklog = { messages, oldestAgeSeconds };
  }
  inboxDuplicate(consumer: string): void {
    this.duplicates.set(consumer, (this.duplicates.get(consumer) ?? 0) + 1);
  }
  failuresTotal(): number {
    return [...this.failures.values()].reduce((sum, n) => sum + n, 0);
  }
}

/** Polls `probe` until it returns something other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  { timeoutMs = 20_000, what = 'condition' }: { timeoutMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (${String(lastError)})` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A promise with its resolver, to hold a relay at a crash point until the test lets it go. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** Parcel data of delivered messages, in delivery order. */
export function parcelsOf(messages: readonly GetMessage[]): Array<{ id: string; parcelId: string; seq: number }> {
  return messages.map((m) => {
    const data = JSON.parse(m.content.toString('utf8')) as { parcelId: string; seq: number };
    return { id: String(m.properties.messageId), parcelId: data.parcelId, seq: data.seq };
  });
}
