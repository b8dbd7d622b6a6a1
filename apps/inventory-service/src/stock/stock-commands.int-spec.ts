import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Global, type INestApplication, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  CommitStock,
  deadLetterQueueOf,
  type Message,
  type MessageContract,
  type MessageOf,
  Queues,
  ReleaseStock,
  ReserveStock,
  Services,
  StockCommitted,
  StockReleased,
  StockReserved,
  StockUnavailable,
} from '@orderly/contracts';
import { AmqpClient, AmqpServer, DeadLetterHeaders, MESSAGING_HOOKS, MessagingModule, type MessagingHooks } from '@orderly/messaging';
import { createProvisionedVhost, createTestDatabase, type ProvisionedVhost, type TestDatabase, workspaceRoot } from '@orderly/testing';
import { Client } from 'pg';
import { seed, SeedProductList, SeedProducts } from '@orderly/inventory-seed';
import { AppModule } from '../app.module';

// inventory-service in this process (its real AppModule: inbox, outbox relay, AmqpServer) against the
// run's real PostgreSQL and a broker vhost provisioned like production. Commands are published as
// order-service publishes them; replies are read from order-service's reply queue.

const ORDER_SOURCE = `/orderly/${Services.order}`;

/** Counts finished handlings (acked or parked) per message id, through the transport's consume hook. */
class Deliveries {
  private readonly settled = new Map<string, number>();
  readonly hooks: MessagingHooks = {
    aroundConsume: async (message, _delivery, handle) => {
      const outcome = await handle();
      this.settled.set(message.id, (this.settled.get(message.id) ?? 0) + 1);
      return outcome;
    },
  };
  waitFor(messageId: string, count: number): Promise<void> {
    return waitUntil(() => (this.settled.get(messageId) ?? 0) >= count, `${count} handlings of ${messageId}`);
  }
}

const deliveries = new Deliveries();

@Global()
@Module({ providers: [{ provide: MESSAGING_HOOKS, useValue: deliveries.hooks }], exports: [MESSAGING_HOOKS] })
class TestHooksModule {}

interface ReceivedMessage {
  id: string;
  type: string;
  subject?: string;
  correlationId?: string;
  causationId?: string;
  headers: Record<string, unknown>;
  data: Record<string, unknown>;
}

let db: TestDatabase;
let broker: ProvisionedVhost;
let sql: Client;
const apps: INestApplication[] = [];
let client: AmqpClient;
const received: ReceivedMessage[] = [];

beforeAll(async () => {
  [db, broker] = await Promise.all([createTestDatabase('inventory_stock'), createProvisionedVhost('inventory-stock')]);
  sql = new Client({ connectionString: db.url });
  await sql.connect();
  await migrate(sql, 'inventory');
  await seed(sql);
  // Two instances consume the command queue side by side, as a scaled-out service would.
  apps.push(await startInventory(), await startInventory());
  const driver = await Test.createTestingModule({
    imports: [MessagingModule.forRoot({ url: broker.amqpUrlFor(Services.order), connectionName: 'test-orchestrator', service: Services.order })],
  }).compile();
  const driverApp = driver.createNestApplication({ logger: ['error'] });
  await driverApp.init();
  apps.push(driverApp);
  client = driverApp.get(AmqpClient);
});

afterAll(async () => {
  for (const app of apps.reverse()) await app.close();
  await sql?.end();
  await Promise.all([db?.dispose(), broker?.dispose()]);
});

async function startInventory(): Promise<INestApplication> {
  Object.assign(process.env, { DATABASE_URL: db.url, AMQP_URL: broker.amqpUrlFor(Services.inventory), LOG_LEVEL: 'error' });
  const moduleRef = await Test.createTestingModule({ imports: [TestHooksModule, AppModule] }).compile();
  const app = moduleRef.createNestApplication({ logger: ['error'] });
  app.connectMicroservice({ strategy: app.get(AmqpServer) }, { inheritAppConfig: true });
  await app.startAllMicroservices();
  await app.listen(0, '127.0.0.1');
  return app;
}

/** Applies a service's committed migrations in order, as `prisma migrate deploy` does. */
async function migrate(client: Client, service: string): Promise<void> {
  const dir = path.join(workspaceRoot(), 'prisma', service, 'migrations');
  const names = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  for (const name of names) await client.query(readFileSync(path.join(dir, name, 'migration.sql'), 'utf8'));
}

async function waitUntil(probe: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Takes what is in a queue of the test vhost (management API), decoded from the CloudEvents headers. */
async function take(queue: string): Promise<ReceivedMessage[]> {
  const messages = await broker.api<Array<{ payload: string; properties: { message_id?: string; headers?: Record<string, unknown> } }>>(
    'POST',
    `/queues/${encodeURIComponent(broker.vhost)}/${encodeURIComponent(queue)}/get`,
    { count: 1000, ackmode: 'ack_requeue_false', encoding: 'auto' },
  );
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
}

/** The replies caused by `command`, once there are `count` of them. */
async function repliesTo(command: Message, count = 1): Promise<ReceivedMessage[]> {
  const mine = () => received.filter((m) => m.causationId === command.id);
  await waitUntil(async () => {
    received.push(...(await take(Queues.orderSagaReplies)));
    return mine().length >= count;
  }, `${count} replies to ${command.type} ${command.id}`);
  return mine();
}

async function send<C extends MessageContract>(contract: C, message: MessageOf<C>): Promise<MessageOf<C>> {
  await client.publish(contract, message);
  return message;
}

const meta = (orderId: string) => ({ source: ORDER_SOURCE, subject: orderId, correlationId: orderId });
const reserve = (orderId: string, lines: Array<{ sku: string; quantity: number }>) =>
  send(ReserveStock, ReserveStock.create({ orderId, lines }, meta(orderId)));
const release = (orderId: string) => send(ReleaseStock, ReleaseStock.create({ orderId, reason: 'test' }, meta(orderId)));
const commit = (orderId: string) => send(CommitStock, CommitStock.create({ orderId }, meta(orderId)));

async function stockOf(sku: string): Promise<{ available: number; reserved: number; sold: number }> {
  const { rows } = await sql.query('SELECT available, reserved, sold FROM product WHERE sku = $1', [sku]);
  return rows[0];
}

async function reservationOf(orderId: string): Promise<{ status: string; lines: Array<{ sku: string; quantity: number }> } | undefined> {
  const { rows } = await sql.query('SELECT id, status FROM reservation WHERE order_id = $1', [orderId]);
  if (rows.length === 0) return undefined;
  const lines = await sql.query('SELECT sku, quantity FROM reservation_line WHERE reservation_id = $1 ORDER BY sku', [rows[0].id]);
  return { status: rows[0].status, lines: lines.rows };
}

describe('inventory-service stock commands', () => {
  it('reserves every line of an order and replies StockReserved, correlated with the command', async () => {
    const before = await stockOf(SeedProducts.pen.sku);
    const orderId = randomUUID();
    const command = await reserve(orderId, [
      { sku: SeedProducts.pen.sku, quantity: 3 },
      { sku: SeedProducts.book.sku, quantity: 1 },
    ]);

    const [reply] = await repliesTo(command);
    expect(reply).toMatchObject({
      type: StockReserved.type,
      subject: orderId,
      correlationId: orderId,
      causationId: command.id,
      data: { orderId, reservationId: expect.any(String) },
    });
    expect(await reservationOf(orderId)).toEqual({
      status: 'HELD',
      lines: [
        { sku: SeedProducts.book.sku, quantity: 1 },
        { sku: SeedProducts.pen.sku, quantity: 3 },
      ],
    });
    expect(await stockOf(SeedProducts.pen.sku)).toEqual({ ...before, available: before.available - 3, reserved: before.reserved + 3 });
  });

  it('replies StockUnavailable naming what is short, holds nothing, and answers a repeated command the same way', async () => {
    const penBefore = await stockOf(SeedProducts.pen.sku);
    const orderId = randomUUID();
    const lines = [
      { sku: SeedProducts.pen.sku, quantity: 1 },
      { sku: SeedProducts.poster.sku, quantity: 2 },
      { sku: 'NO-SUCH-SKU', quantity: 1 },
    ];
    const first = await reserve(orderId, lines);
    const [reply] = await repliesTo(first);
    expect(reply).toMatchObject({ type: StockUnavailable.type, causationId: first.id, correlationId: orderId, subject: orderId });
    expect(reply.data['missing']).toEqual([
      { sku: 'NO-SUCH-SKU', requested: 1, available: 0 },
      { sku: SeedProducts.poster.sku, requested: 2, available: 0 },
    ]);
    expect(await stockOf(SeedProducts.pen.sku)).toEqual(penBefore);

    // The orchestrator re-sends after its deadline: a new message, the same answer.
    const again = await reserve(orderId, lines);
    const [second] = await repliesTo(again);
    expect(second).toMatchObject({ type: StockUnavailable.type, data: reply.data });
    expect(await stockOf(SeedProducts.pen.sku)).toEqual(penBefore);
    expect((await reservationOf(orderId))?.status).toBe('REFUSED');
  });

  it('answers a re-sent ReserveStock with the same reservation and holds the stock once', async () => {
    const before = await stockOf(SeedProducts.book.sku);
    const orderId = randomUUID();
    const first = await reserve(orderId, [{ sku: SeedProducts.book.sku, quantity: 2 }]);
    const [reply] = await repliesTo(first);
    const again = await reserve(orderId, [{ sku: SeedProducts.book.sku, quantity: 2 }]);
    const [second] = await repliesTo(again);
    expect(second).toMatchObject({ type: StockReserved.type, data: reply.data });
    expect(await stockOf(SeedProducts.book.sku)).toEqual({ ...before, available: before.available - 2, reserved: before.reserved + 2 });
  });

  it('handles a message delivered twice once: one effect, one reply', async () => {
    const before = await stockOf(SeedProducts.pen.sku);
    const orderId = randomUUID();
    const command = ReserveStock.create({ orderId, lines: [{ sku: SeedProducts.pen.sku, quantity: 5 }] }, meta(orderId));
    await Promise.all([send(ReserveStock, command), send(ReserveStock, command)]);
    await deliveries.waitFor(command.id, 2);
    expect(await repliesTo(command)).toHaveLength(1);
    const { rows } = await sql.query('SELECT count(*)::int AS n FROM outbox WHERE causation_id = $1', [command.id]);
    expect(rows[0].n).toBe(1);
    expect(await stockOf(SeedProducts.pen.sku)).toEqual({ ...before, available: before.available - 5, reserved: before.reserved + 5 });
  });

  it('releases held stock once, and answers a repeated release without moving stock again', async () => {
    const before = await stockOf(SeedProducts.book.sku);
    const orderId = randomUUID();
    await repliesTo(await reserve(orderId, [{ sku: SeedProducts.book.sku, quantity: 3 }]));

    const first = await release(orderId);
    expect(await repliesTo(first)).toMatchObject([{ type: StockReleased.type, subject: orderId, correlationId: orderId, data: { orderId } }]);
    expect(await stockOf(SeedProducts.book.sku)).toEqual(before);
    const again = await release(orderId);
    expect(await repliesTo(again)).toMatchObject([{ type: StockReleased.type }]);
    expect(await stockOf(SeedProducts.book.sku)).toEqual(before);
    expect((await reservationOf(orderId))?.status).toBe('RELEASED');
  });

  it('leaves a tombstone when the release comes first: the late ReserveStock is refused and holds nothing', async () => {
    const before = await stockOf(SeedProducts.pen.sku);
    const orderId = randomUUID();
    expect(await repliesTo(await release(orderId))).toMatchObject([{ type: StockReleased.type }]);
    expect(await reservationOf(orderId)).toEqual({ status: 'CANCELLED', lines: [] });

    const late = await reserve(orderId, [{ sku: SeedProducts.pen.sku, quantity: 2 }]);
    const [reply] = await repliesTo(late);
    expect(reply).toMatchObject({
      type: StockUnavailable.type,
      data: { orderId, missing: [{ sku: SeedProducts.pen.sku, requested: 2, available: 0 }] },
    });
    expect(await stockOf(SeedProducts.pen.sku)).toEqual(before);
  });

  it('commits held stock as sold once; a repeated commit replies again without selling twice', async () => {
    const before = await stockOf(SeedProducts.laptop.sku);
    const orderId = randomUUID();
    await repliesTo(await reserve(orderId, [{ sku: SeedProducts.laptop.sku, quantity: 2 }]));
    expect(await repliesTo(await commit(orderId))).toMatchObject([{ type: StockCommitted.type, data: { orderId } }]);
    expect(await repliesTo(await commit(orderId))).toMatchObject([{ type: StockCommitted.type }]);
    expect(await stockOf(SeedProducts.laptop.sku)).toEqual({ available: before.available - 2, reserved: before.reserved, sold: before.sold + 2 });
    expect((await reservationOf(orderId))?.status).toBe('COMMITTED');
  });

  it('parks a release after the commit, and a commit of nothing held, without moving stock or replying', async () => {
    const orderId = randomUUID();
    await repliesTo(await reserve(orderId, [{ sku: SeedProducts.laptop.sku, quantity: 1 }]));
    await repliesTo(await commit(orderId));
    const sold = await stockOf(SeedProducts.laptop.sku);

    const lateRelease = await release(orderId);
    const stray = await commit(randomUUID());
    await Promise.all([deliveries.waitFor(lateRelease.id, 1), deliveries.waitFor(stray.id, 1)]);

    const parked = await take(deadLetterQueueOf(Queues.inventoryCommands));
    const codeOf = (id: string) => parked.find((m) => m.id === id)?.headers[DeadLetterHeaders.errorCode];
    expect(codeOf(lateRelease.id)).toBe('INVENTORY.RELEASE_AFTER_COMMIT');
    expect(codeOf(stray.id)).toBe('INVENTORY.NOTHING_TO_COMMIT');
    expect(await stockOf(SeedProducts.laptop.sku)).toEqual(sold);
    const { rows } = await sql.query('SELECT count(*)::int AS n FROM outbox WHERE causation_id = ANY($1)', [[lateRelease.id, stray.id]]);
    expect(rows[0].n).toBe(0);
  });

  it('never oversells: many orders racing for the last units, over two instances, get exactly the stock there is', async () => {
    const lamp = SeedProducts.lamp.sku;
    const book = SeedProducts.book.sku;
    const pen = SeedProducts.pen.sku;
    const bookBefore = await stockOf(book);
    // 30 orders for the one lamp; 40 orders for one book each, naming their SKUs in either order
    // (products are locked in SKU order whatever the order's line order, so none deadlocks).
    const lampOrders = await Promise.all(Array.from({ length: 30 }, () => reserve(randomUUID(), [{ sku: lamp, quantity: 1 }])));
    const bookOrders = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        reserve(
          randomUUID(),
          i % 2 === 0
            ? [{ sku: book, quantity: 1 }, { sku: pen, quantity: 1 }]
            : [{ sku: pen, quantity: 1 }, { sku: book, quantity: 1 }],
        ),
      ),
    );
    const outcomes = async (commands: Message[]) => {
      const types: string[] = [];
      for (const command of commands) types.push((await repliesTo(command))[0].type);
      return types;
    };
    const lampReplies = await outcomes(lampOrders);
    expect(lampReplies.filter((t) => t === StockReserved.type)).toHaveLength(1);
    expect(lampReplies.filter((t) => t === StockUnavailable.type)).toHaveLength(29);
    const bookReplies = await outcomes(bookOrders);
    expect(bookReplies.filter((t) => t === StockReserved.type)).toHaveLength(bookBefore.available);
    expect(await stockOf(lamp)).toEqual({ available: 0, reserved: 1, sold: 0 });
    expect((await stockOf(book)).available).toBe(0);
  });

  it('keeps available + reserved + sold equal to the seeded stock of every product', async () => {
    const { rows } = await sql.query('SELECT sku, available + reserved + sold AS total FROM product ORDER BY sku');
    expect(rows).toEqual(SeedProductList.map((p) => ({ sku: p.sku, total: p.stock })));
  });
});

describe('GET /products', () => {
  it('lists every product with its price and stock counters', async () => {
    const address = apps[0].getHttpServer().address() as { port: number };
    const response = await fetch(`http://127.0.0.1:${address.port}/products`);
    expect(response.status).toBe(200);
    const products = (await response.json()) as Array<Record<string, unknown>>;
    expect(products.map((p) => p['sku'])).toEqual(SeedProductList.map((p) => p.sku));
    const { rows } = await sql.query('SELECT available, reserved, sold FROM product WHERE sku = $1', [SeedProducts.pen.sku]);
    expect(products.find((p) => p['sku'] === SeedProducts.pen.sku)).toEqual({
      sku: SeedProducts.pen.sku,
      name: SeedProducts.pen.name,
      priceMinor: SeedProducts.pen.priceMinor,
      currency: SeedProducts.pen.currency,
      ...rows[0],
    });
  });
});
