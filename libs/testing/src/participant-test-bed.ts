import { type DynamicModule, Global, type INestApplication, Module, type Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  type Message,
  type MessageContract,
  type MessageOf,
  Queues,
  type ServiceName,
  Services,
} from '@orderly/contracts';
import { applyMigrations } from '@orderly/prisma-migrate';
import { Client } from 'pg';
import { createProvisionedVhost, type ProvisionedVhost } from './provisioned-vhost';
import { createTestDatabase, type TestDatabase } from './test-database';

/**
 * The pieces of @orderly/messaging the bed wires, handed in by the spec: this harness may not import
 * messaging itself, because messaging's own specs import the harness (Nx refuses the cycle).
 */
export interface ParticipantMessaging {
  AmqpServer: Type<unknown>;
  AmqpClient: Type<{ publish(contract: MessageContract, message: Message): Promise<void> }>;
  MessagingModule: {
    forRoot(options: { url: string; connectionName: string; service: string }): DynamicModule;
  };
  MESSAGING_HOOKS: symbol;
}

export interface ParticipantTestBedOptions {
  /** Names the test database and vhost (handy when reading the servers during a run). */
  name: string;
  /** The service under test: it connects as its own broker user. */
  service: ServiceName;
  /** Its database folder under `prisma/` (`inventory`): the migrations applied to the test database. */
  database: string;
  /** The service's real root module. */
  appModule: Type<unknown>;
  messaging: ParticipantMessaging;
  /** Instances started side by side on the same database and queues, as a scaled-out service (default 1). */
  instances?: number;
  /** Settings on top of DATABASE_URL, AMQP_URL and LOG_LEVEL=error; removed again by `dispose()`. */
  env?: Record<string, string>;
  /** Providers replaced in every instance (e.g. a simulator whose random draw the test scripts). */
  overrides?: Array<{ provide: Type<unknown> | string | symbol; useValue: unknown }>;
  /** Runs on the migrated database before the service starts (seed data, a test's own queue). */
  prepare?(bed: Pick<ParticipantTestBed, 'sql' | 'broker'>): Promise<void>;
  /** The service publishing the messages the participant receives (default order-service). */
  publishAs?: ServiceName;
}

/** A message read from a queue of the test vhost, decoded from its CloudEvents headers. */
export interface ReceivedMessage {
  id: string;
  type: string;
  subject?: string;
  correlationId?: string;
  causationId?: string;
  headers: Record<string, unknown>;
  data: Record<string, unknown>;
}

export interface ParticipantTestBed<Failure = unknown> {
  db: TestDatabase;
  broker: ProvisionedVhost;
  /** A connection to the service's database, for asserting its rows. */
  sql: Client;
  /** The running instances of the service. */
  apps: INestApplication[];
  /** Every failed handling (retried or parked), as the transport's `onFailure` hook reported it. */
  failures: Failure[];
  /** Publishes as the publishing service does (confirmed); returns the message. */
  publish<C extends MessageContract>(contract: C, message: MessageOf<C>): Promise<MessageOf<C>>;
  /** Waits until the service finished handling the message `count` times (acknowledged, retried or parked). */
  handled(messageId: string, count: number): Promise<void>;
  /** Takes (and acknowledges) what is in a queue of the test vhost. */
  take(queue: string): Promise<ReceivedMessage[]>;
  /** The replies caused by `command` on order-service's reply queue, once there are `count` of them. */
  repliesTo(command: Message, count?: number): Promise<ReceivedMessage[]>;
  /** Stops the instances and the publisher, then drops the database and the vhost. */
  dispose(): Promise<void>;
}

/**
 * One saga participant (inventory-, payment-, notification-service) in this process, with its real root
 * module (inbox, outbox relay, AmqpServer), against a database migrated by the project's migration tool
 * (`npm run db -- deploy`) and a vhost provisioned like production, driven by a publisher acting as
 * order-service. A consume hook counts the handlings of each message, so a test waits for outcomes
 * rather than for time.
 */
export async function startParticipantTestBed<Failure = unknown>(
  options: ParticipantTestBedOptions,
): Promise<ParticipantTestBed<Failure>> {
  const { AmqpServer, AmqpClient, MessagingModule, MESSAGING_HOOKS } = options.messaging;
  const [db, broker] = await Promise.all([
    createTestDatabase(options.name),
    createProvisionedVhost(options.name),
  ]);
  const sql = new Client({ connectionString: db.url });
  const running: INestApplication[] = [];
  const env = {
    DATABASE_URL: db.url,
    AMQP_URL: broker.amqpUrlFor(options.service),
    LOG_LEVEL: 'error',
    ...options.env,
  };
  const envBefore = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));

  const settled = new Map<string, number>();
  const failures: Failure[] = [];
  const hooks = {
    aroundConsume: async <T>(
      message: { id: string },
      _delivery: unknown,
      handle: () => Promise<T>,
    ): Promise<T> => {
      const outcome = await handle();
      settled.set(message.id, (settled.get(message.id) ?? 0) + 1);
      return outcome;
    },
    onFailure: (disposition: Failure) => void failures.push(disposition),
  };
  @Global()
  @Module({ providers: [{ provide: MESSAGING_HOOKS, useValue: hooks }], exports: [MESSAGING_HOOKS] })
  class CountingHooksModule {}

  const take = async (queue: string): Promise<ReceivedMessage[]> => {
    const messages = await broker.api<
      Array<{ payload: string; properties: { message_id?: string; headers?: Record<string, unknown> } }>
    >('POST', `/queues/${encodeURIComponent(broker.vhost)}/${encodeURIComponent(queue)}/get`, {
      count: 1000,
      ackmode: 'ack_requeue_false',
      encoding: 'auto',
    });
    return messages.map(({ payload, properties }) => {
      const headers = properties.headers ?? {};
      return {
        id: String(properties.message_id),
        type: String(headers['cloudEvents:type']),
        subject: headers['cloudEvents:subject'] as string | undefined,
        correlationId: headers['correlation-id'] as string | undefined,
        causationId: headers['causation-id'] as string | undefined,
        headers,
        data: JSON.parse(payload) as Record<string, unknown>,
      };
    });
  };
  const replies: ReceivedMessage[] = [];

  const dispose = async () => {
    for (const app of running.reverse()) await app.close();
    await sql.end().catch(() => undefined);
    for (const [key, value] of Object.entries(envBefore)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    await Promise.all([db.dispose(), broker.dispose()]);
  };

  try {
    await applyMigrations(options.database, db.url);
    await sql.connect();
    await options.prepare?.({ sql, broker });

    // The service reads its settings from the environment at boot, as its main.ts does.
    Object.assign(process.env, env);
    const apps: INestApplication[] = [];
    for (let i = 0; i < (options.instances ?? 1); i++) {
      let builder = Test.createTestingModule({ imports: [CountingHooksModule, options.appModule] });
      for (const { provide, useValue } of options.overrides ?? [])
        builder = builder.overrideProvider(provide).useValue(useValue);
      const app = (await builder.compile()).createNestApplication({ logger: ['error'] });
      running.push(app);
      app.connectMicroservice({ strategy: app.get(AmqpServer) }, { inheritAppConfig: true });
      await app.startAllMicroservices();
      await app.listen(0, '127.0.0.1');
      apps.push(app);
    }

    const publishAs = options.publishAs ?? Services.order;
    const driver = (
      await Test.createTestingModule({
        imports: [
          MessagingModule.forRoot({
            url: broker.amqpUrlFor(publishAs),
            connectionName: `test-${publishAs}`,
            service: publishAs,
          }),
        ],
      }).compile()
    ).createNestApplication({ logger: ['error'] });
    running.push(driver);
    await driver.init();
    const client = driver.get(AmqpClient);

    return {
      db,
      broker,
      sql,
      apps,
      failures,
      async publish(contract, message) {
        await client.publish(contract, message);
        return message;
      },
      handled: (messageId, count) =>
        waitUntil(() => (settled.get(messageId) ?? 0) >= count, `${count} handlings of ${messageId}`),
      take,
      async repliesTo(command, count = 1) {
        const mine = () => replies.filter((m) => m.causationId === command.id);
        await waitUntil(async () => {
          replies.push(...(await take(Queues.orderSagaReplies)));
          return mine().length >= count;
        }, `${count} replies to ${command.type} ${command.id}`);
        return mine();
      },
      dispose,
    };
  } catch (error) {
    await dispose();
    throw error;
  }
}

/** Polls `probe` until it holds; fails naming `what` after `timeoutMs`. No fixed sleeps in the tests that use it. */
export async function waitUntil(
  probe: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
