import { randomBytes } from 'node:crypto';
import type { INestApplication, ModuleMetadata, Provider, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { resolveExchanges, resolveQueues, type Message, type TopologyDeclaration } from '@orderly/contracts';
import { createTestVhost, freePort, type TestVhost } from '@orderly/testing';
import { connect, type ChannelModel, type ConfirmChannel, type GetMessage, type Options } from 'amqplib';
import type { MessageContext } from '../consumer/message-context';
import type { MessagingModuleOptions } from '../messaging-options';
import { MessagingModule } from '../nest/messaging.module';
import { AmqpServer } from '../server/amqp-server';

/** A local port nothing listens on (yet). */
export const unusedPort = (): Promise<number> => freePort();

/**
 * A test vhost plus an administrator's AMQP connection, to set the scene and read outcomes exactly.
 * The connection is re-opened on demand, so the broker may be restarted under a test.
 */
export class TestBroker {
  private admin?: Promise<{ connection: ChannelModel; channel: ConfirmChannel }>;

  private constructor(readonly vhost: TestVhost) {}

  static async create(prefix: string): Promise<TestBroker> {
    return new TestBroker(await createTestVhost(prefix));
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

  get amqpUrl(): string {
    return this.vhost.amqpUrl;
  }

  /** Declares every exchange, queue and binding of `topology`, as `npm run broker -- provision` does. */
  async provision(topology: TopologyDeclaration): Promise<void> {
    const channel = await this.channel();
    for (const exchange of resolveExchanges(topology)) {
      await channel.assertExchange(exchange.name, exchange.type, { durable: true });
    }
    for (const queue of resolveQueues(topology)) {
      await channel.assertQueue(queue.name, { durable: true, arguments: queue.arguments });
      for (const binding of queue.bindings) await channel.bindQueue(queue.name, binding.exchange, binding.routingKey);
    }
  }

  /** Ready messages in a queue, exact (a passive declare), unlike the management API's sampled statistics. */
  async ready(queue: string): Promise<number> {
    return (await (await this.channel()).checkQueue(queue)).messageCount;
  }

  /** Messages in a queue, ready and unacknowledged, as the management API reports them (sampled every few seconds). */
  async depthFromManagementApi(queue: string): Promise<{ messages: number; ready: number; unacked: number } | undefined> {
    const stats = await this.vhost.api<{ messages?: number; messages_ready?: number; messages_unacknowledged?: number }>(
      'GET',
      `/queues/${encodeURIComponent(this.vhost.vhost)}/${encodeURIComponent(queue)}`,
    );
    if (stats.messages === undefined) return undefined; // not sampled yet
    return { messages: stats.messages, ready: stats.messages_ready ?? 0, unacked: stats.messages_unacknowledged ?? 0 };
  }

  /** Takes every message out of a queue (and acks it), in queue order. */
  async takeAll(queue: string): Promise<GetMessage[]> {
    const taken: GetMessage[] = [];
    const channel = await this.channel();
    for (;;) {
      const message = await channel.get(queue, { noAck: true });
      if (message === false) return taken;
      taken.push(message);
    }
  }

  /** Publishes raw bytes straight into a queue (the default exchange), as a misbehaving producer could. */
  async sendToQueue(queue: string, content: Buffer, properties: Options.Publish): Promise<void> {
    const channel = await this.channel();
    channel.sendToQueue(queue, content, properties);
    await channel.waitForConfirms();
  }

  /** Closes the client connections with this connection name through the management API, as an operator can. */
  async closeConnectionsNamed(connectionName: string): Promise<number> {
    const named = await waitFor(
      async () => {
        const connections = await this.vhost.api<Array<{ name: string; client_properties?: { connection_name?: string } }>>(
          'GET',
          `/vhosts/${encodeURIComponent(this.vhost.vhost)}/connections`,
        );
        const found = connections.filter((c) => c.client_properties?.connection_name === connectionName);
        return found.length > 0 ? found : undefined;
      },
      { timeoutMs: 15_000, what: `connection "${connectionName}" listed by the management API` },
    );
    for (const connection of named) {
      await this.vhost.api('DELETE', `/connections/${encodeURIComponent(connection.name)}`).catch(() => undefined);
    }
    return named.length;
  }

  /** Closes the admin connection and deletes the test vhost (restarts: `testBrokerControl` in libs/testing). */
  async dispose(): Promise<void> {
    const admin = await this.admin?.catch(() => undefined);
    await admin?.connection.close().catch(() => undefined);
    await this.vhost.dispose();
  }
}

export interface TestServiceOptions extends Partial<MessagingModuleOptions> {
  broker: TestBroker;
  service: string;
  topology: TopologyDeclaration;
  controllers?: Type[];
  providers?: Provider[];
  imports?: ModuleMetadata['imports'];
  /** False for a publisher-only app: AmqpServer is not connected, no queue is consumed. */
  consume?: boolean;
}

/** A unique connection name per started service, so a test can close exactly that connection. */
export const connectionNameOf = (app: INestApplication): string => app.get(TEST_CONNECTION_NAME) as string;
const TEST_CONNECTION_NAME = Symbol('TEST_CONNECTION_NAME');

/**
 * A Nest application wired like a service's main.ts: MessagingModule, the controllers with their
 * `@Handles` methods, and AmqpServer connected as the microservice strategy.
 */
export async function startTestService(options: TestServiceOptions): Promise<INestApplication> {
  const { broker, controllers = [], providers = [], imports = [], consume = true, ...messaging } = options;
  const connectionName = `${options.service}#${randomBytes(3).toString('hex')}`;
  const moduleRef = await Test.createTestingModule({
    imports: [
      MessagingModule.forRoot({
        url: broker.amqpUrl,
        connectionName,
        reconnectSeconds: 1,
        channelReopenDelayMs: 200,
        ...messaging,
      }),
      ...imports,
    ],
    controllers,
    providers: [...providers, { provide: TEST_CONNECTION_NAME, useValue: connectionName }],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: ['error', 'warn'] });
  if (consume) app.connectMicroservice({ strategy: app.get(AmqpServer) }, { inheritAppConfig: true });
  try {
    await app.startAllMicroservices();
    await app.init();
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  return app;
}

/** What a handler received, for assertions on outcomes. */
export class Received {
  readonly messages: Array<{ message: Message; queue: string; redelivered: boolean }> = [];

  record(message: Message, ctx: MessageContext): void {
    this.messages.push({ message, queue: ctx.queue, redelivered: ctx.redelivered });
  }

  ids(): string[] {
    return this.messages.map((m) => m.message.id);
  }

  /** How often each message id arrived. */
  counts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const id of this.ids()) counts.set(id, (counts.get(id) ?? 0) + 1);
    return counts;
  }

  async waitForCount(n: number, timeoutMs = 15_000): Promise<void> {
    await waitFor(() => this.messages.length >= n || undefined, { timeoutMs, what: `${n} messages received (have ${this.messages.length})` });
  }
}

/** Polls `probe` until it returns something other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  { timeoutMs = 15_000, what = 'condition', intervalMs = 50 }: { timeoutMs?: number; what?: string; intervalMs?: number } = {},
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
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** A promise with its resolver, to hold handlers in flight until the test lets them go. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}
