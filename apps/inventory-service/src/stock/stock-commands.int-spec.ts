import { randomUUID } from 'node:crypto';
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
import { AmqpClient, AmqpServer, DeadLetterHeaders, MESSAGING_HOOKS, MessagingModule } from '@orderly/messaging';
import { type ParticipantTestBed, startParticipantTestBed } from '@orderly/testing';
import { seed, SeedProductList, SeedProducts } from '@orderly/inventory-seed';
import { AppModule } from '../app.module';

// inventory-service in this process (its real AppModule: inbox, outbox relay, AmqpServer) against the
// run's real PostgreSQL and a broker vhost provisioned like production. Commands are published as
// order-service publishes them; replies are read from order-service's reply queue.

const ORDER_SOURCE = `/orderly/${Services.order}`;

let bed: ParticipantTestBed;

beforeAll(async () => {
  bed = await startParticipantTestBed({
    name: 'inventory_stock',
    service: Services.inventory,
    database: 'inventory',
    appModule: AppModule,
    messaging: { AmqpServer, AmqpClient, MessagingModule, MESSAGING_HOOKS },
    prepare: async ({ sql }) => {
      await seed(sql);
    },
    // Two instances consume the command queue side by side, as a scaled-out service would.
    instances: 2,
  });
});

afterAll(() => bed?.dispose());

const repliesTo = (command: Message, count?: number) => bed.repliesTo(command, count);

const send = <C extends MessageContract>(contract: C, message: MessageOf<C>) => bed.publish(contract, message);

const meta = (orderId: string) => ({ source: ORDER_SOURCE, subject: orderId, correlationId: orderId });
const reserve = (orderId: string, lines: Array<{ sku: string; quantity: number }>) =>
  send(ReserveStock, ReserveStock.create({ orderId, lines }, meta(orderId)));
const release = (orderId: string) => send(ReleaseStock, ReleaseStock.create({ orderId, reason: 'test' }, meta(orderId)));
const commit = (orderId: string) => send(CommitStock, CommitStock.create({ orderId }, meta(orderId)));

async function stockOf(sku: string): Promise<{ available: number; reserved: number; sold: number }> {
  const { rows } = await bed.sql.query('SELECT available, reserved, sold FROM product WHERE sku = $1', [sku]);
  return rows[0];
}

async function reservationOf(orderId: string): Promise<{ status: string; lines: Array<{ sku: string; quantity: number }> } | undefined> {
  const { rows } = await bed.sql.query('SELECT id, status FROM reservation WHERE order_id = $1', [orderId]);
  if (rows.length === 0) return undefined;
  const lines = await bed.sql.query('SELECT sku, quantity FROM reservation_line WHERE reservation_id = $1 ORDER BY sku', [rows[0].id]);
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
    await bed.handled(command.id, 2);
    expect(await repliesTo(command)).toHaveLength(1);
    const { rows } = await bed.sql.query('SELECT count(*)::int AS n FROM outbox WHERE causation_id = $1', [command.id]);
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
    await Promise.all([bed.handled(lateRelease.id, 1), bed.handled(stray.id, 1)]);

    const parked = await bed.take(deadLetterQueueOf(Queues.inventoryCommands));
    const codeOf = (id: string) => parked.find((m) => m.id === id)?.headers[DeadLetterHeaders.errorCode];
    expect(codeOf(lateRelease.id)).toBe('INVENTORY.RELEASE_AFTER_COMMIT');
    expect(codeOf(stray.id)).toBe('INVENTORY.NOTHING_TO_COMMIT');
    expect(await stockOf(SeedProducts.laptop.sku)).toEqual(sold);
    const { rows } = await bed.sql.query('SELECT count(*)::int AS n FROM outbox WHERE causation_id = ANY($1)', [[lateRelease.id, stray.id]]);
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
    const { rows } = await bed.sql.query('SELECT sku, available + reserved + sold AS total FROM product ORDER BY sku');
    expect(rows).toEqual(SeedProductList.map((p) => ({ sku: p.sku, total: p.stock })));
  });
});

describe('GET /products', () => {
  it('lists every product with its price and stock counters', async () => {
    const address = bed.apps[0].getHttpServer().address() as { port: number };
    const response = await fetch(`http://127.0.0.1:${address.port}/products`);
    expect(response.status).toBe(200);
    const products = (await response.json()) as Array<Record<string, unknown>>;
    expect(products.map((p) => p['sku'])).toEqual(SeedProductList.map((p) => p.sku));
    const { rows } = await bed.sql.query('SELECT available, reserved, sold FROM product WHERE sku = $1', [SeedProducts.pen.sku]);
    expect(products.find((p) => p['sku'] === SeedProducts.pen.sku)).toEqual({
      sku: SeedProducts.pen.sku,
      name: SeedProducts.pen.name,
      priceMinor: SeedProducts.pen.priceMinor,
      currency: SeedProducts.pen.currency,
      ...rows[0],
    });
  });
});
