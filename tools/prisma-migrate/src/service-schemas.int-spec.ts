import { randomUUID } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient as InventoryDatabase } from '@orderly/inventory-db';
import { PrismaClient as NotificationDatabase } from '@orderly/notification-db';
import { PrismaClient as OrderDatabase } from '@orderly/order-db';
import { PrismaClient as PaymentDatabase } from '@orderly/payment-db';
import { applyMigrations } from './apply-migrations';
import { createScratchDatabase, type ScratchDatabase } from './test-database';

// Every model of every service database, through the generated client (`npm test` generates the
// clients first), against a database migrated by the committed migrations: the schema, the
// migrations and the clients agree, and the constraints the services rely on hold.

interface Disconnectable {
  $disconnect(): Promise<void>;
}

async function migratedDatabase<T extends Disconnectable>(
  service: string,
  Client: new (options: { adapter: PrismaPg }) => T,
): Promise<{ client: T; dispose(): Promise<void> }> {
  const db: ScratchDatabase = await createScratchDatabase(service);
  await applyMigrations(service, db.url);
  const client = new Client({ adapter: new PrismaPg({ connectionString: db.url }) });
  return {
    client,
    async dispose() {
      await client.$disconnect();
      await db.dispose();
    },
  };
}

const uniqueViolation = { code: 'P2002' };

describe('order database', () => {
  let db: Awaited<ReturnType<typeof migratedDatabase<OrderDatabase>>>;
  beforeAll(async () => (db = await migratedDatabase('order', OrderDatabase)));
  afterAll(() => db?.dispose());

  it('stores an order with its lines, reads it back and moves it to a final status', async () => {
    const created = await db.client.order.create({
      data: {
        customerId: 'customer-1',
        totalMinor: 2500,
        currency: 'EUR',
        idempotencyKey: randomUUID(),
        lines: {
          create: [
            { sku: 'SKU-1', quantity: 2, unitPriceMinor: 1000 },
            { sku: 'SKU-2', quantity: 1, unitPriceMinor: 500 },
          ],
        },
      },
    });
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.status).toBe('PENDING');

    const read = await db.client.order.findUniqueOrThrow({
      where: { id: created.id },
      include: { lines: { orderBy: { sku: 'asc' } } },
    });
    expect(read.lines.map((l) => [l.sku, l.quantity, l.unitPriceMinor])).toEqual([
      ['SKU-1', 2, 1000],
      ['SKU-2', 1, 500],
    ]);

    const confirmed = await db.client.order.update({
      where: { id: created.id },
      data: { status: 'CONFIRMED' },
    });
    expect(confirmed.status).toBe('CONFIRMED');
    expect(confirmed.updatedAt.getTime()).toBeGreaterThanOrEqual(created.updatedAt.getTime());
  });

  it('finds the order of a retried request by its idempotency key and refuses a second one', async () => {
    const idempotencyKey = randomUUID();
    const data = { customerId: 'customer-2', totalMinor: 100, currency: 'EUR', idempotencyKey };
    const first = await db.client.order.create({ data });
    await expect(db.client.order.create({ data })).rejects.toMatchObject(uniqueViolation);
    expect((await db.client.order.findUnique({ where: { idempotencyKey } }))?.id).toBe(first.id);
  });

  it('keeps one line per SKU of an order and deletes lines with their order', async () => {
    const order = await db.client.order.create({ data: { customerId: 'c', totalMinor: 0, currency: 'EUR' } });
    await db.client.orderLine.create({
      data: { orderId: order.id, sku: 'SKU-1', quantity: 1, unitPriceMinor: 0 },
    });
    await expect(
      db.client.orderLine.create({
        data: { orderId: order.id, sku: 'SKU-1', quantity: 2, unitPriceMinor: 0 },
      }),
    ).rejects.toMatchObject(uniqueViolation);
    await db.client.order.delete({ where: { id: order.id } });
    expect(await db.client.orderLine.count({ where: { orderId: order.id } })).toBe(0);
  });

  it('refuses negative totals, lines of nothing and currencies that are not ISO codes', async () => {
    await expect(
      db.client.order.create({ data: { customerId: 'c', totalMinor: -1, currency: 'EUR' } }),
    ).rejects.toThrow(/order_total_minor_check/);
    await expect(
      db.client.order.create({ data: { customerId: 'c', totalMinor: 1, currency: 'eur' } }),
    ).rejects.toThrow(/order_currency_check/);
    await expect(
      db.client.order.create({
        data: {
          customerId: 'c',
          totalMinor: 0,
          currency: 'EUR',
          lines: { create: [{ sku: 'S', quantity: 0, unitPriceMinor: 1 }] },
        },
      }),
    ).rejects.toThrow(/order_line_quantity_check/);
  });
});

describe('inventory database', () => {
  let db: Awaited<ReturnType<typeof migratedDatabase<InventoryDatabase>>>;
  beforeAll(async () => (db = await migratedDatabase('inventory', InventoryDatabase)));
  afterAll(() => db?.dispose());

  it('holds stock for an order in a reservation with lines, then commits it', async () => {
    await db.client.product.create({
      data: { sku: 'BOOK-1', name: 'A book', priceMinor: 1500, currency: 'EUR', available: 10 },
    });
    const orderId = randomUUID();
    const reservation = await db.client.$transaction(async (tx) => {
      await tx.product.update({
        where: { sku: 'BOOK-1' },
        data: { available: { decrement: 3 }, reserved: { increment: 3 } },
      });
      return tx.reservation.create({
        data: { orderId, lines: { create: [{ sku: 'BOOK-1', quantity: 3 }] } },
      });
    });
    expect(reservation.status).toBe('HELD');

    const read = await db.client.reservation.findUniqueOrThrow({
      where: { orderId },
      include: { lines: true },
    });
    expect(read.lines).toEqual([{ reservationId: reservation.id, sku: 'BOOK-1', quantity: 3 }]);

    await db.client.$transaction([
      db.client.product.update({
        where: { sku: 'BOOK-1' },
        data: { reserved: { decrement: 3 }, sold: { increment: 3 } },
      }),
      db.client.reservation.update({ where: { id: reservation.id }, data: { status: 'COMMITTED' } }),
    ]);
    expect(await db.client.product.findUniqueOrThrow({ where: { sku: 'BOOK-1' } })).toMatchObject({
      available: 7,
      reserved: 0,
      sold: 3,
    });
  });

  it('keeps one reservation per order', async () => {
    const orderId = randomUUID();
    await db.client.reservation.create({ data: { orderId } });
    await expect(db.client.reservation.create({ data: { orderId } })).rejects.toMatchObject(uniqueViolation);
  });

  it('never lets a stock counter go negative', async () => {
    await db.client.product.create({
      data: { sku: 'PEN-1', name: 'A pen', priceMinor: 200, currency: 'EUR', available: 1 },
    });
    await expect(
      db.client.product.update({
        where: { sku: 'PEN-1' },
        data: { available: { decrement: 2 }, reserved: { increment: 2 } },
      }),
    ).rejects.toThrow(/product_stock_check/);
    expect(await db.client.product.findUniqueOrThrow({ where: { sku: 'PEN-1' } })).toMatchObject({
      available: 1,
      reserved: 0,
    });
  });

  it('records a refusal with what was missing, and a tombstone with nothing', async () => {
    const missing = [{ sku: 'PEN-1', requested: 5, available: 1 }];
    const refused = await db.client.reservation.create({ data: { orderId: randomUUID(), status: 'REFUSED', missing } });
    expect(refused.missing).toEqual(missing);
    await db.client.reservation.create({ data: { orderId: randomUUID(), status: 'CANCELLED' } });
    await expect(db.client.reservation.create({ data: { orderId: randomUUID(), status: 'REFUSED' } })).rejects.toThrow(
      /reservation_missing_check/,
    );
    await expect(db.client.reservation.create({ data: { orderId: randomUUID(), status: 'HELD', missing } })).rejects.toThrow(
      /reservation_missing_check/,
    );
  });

  it('refuses to reserve a product it does not know', async () => {
    await expect(
      db.client.reservation.create({
        data: { orderId: randomUUID(), lines: { create: [{ sku: 'NO-SUCH-SKU', quantity: 1 }] } },
      }),
    ).rejects.toMatchObject({ code: 'P2003' });
  });
});

describe('payment database', () => {
  let db: Awaited<ReturnType<typeof migratedDatabase<PaymentDatabase>>>;
  beforeAll(async () => (db = await migratedDatabase('payment', PaymentDatabase)));
  afterAll(() => db?.dispose());

  it('records an authorisation, then its capture', async () => {
    const orderId = randomUUID();
    const authorised = await db.client.payment.create({
      data: {
        orderId,
        customerId: 'customer-1',
        amountMinor: 2500,
        currency: 'EUR',
        status: 'AUTHORISED',
        authorisationId: randomUUID(),
      },
    });
    const captureId = randomUUID();
    const captured = await db.client.payment.update({
      where: { orderId },
      data: { status: 'CAPTURED', captureId },
    });
    expect(captured).toMatchObject({ id: authorised.id, status: 'CAPTURED', captureId, declineReason: null });
  });

  it('records a decline with its reason and no authorisation', async () => {
    const declined = await db.client.payment.create({
      data: {
        orderId: randomUUID(),
        customerId: 'c',
        amountMinor: 100,
        currency: 'EUR',
        status: 'DECLINED',
        declineReason: 'card expired',
      },
    });
    expect(declined).toMatchObject({ authorisationId: null, captureId: null, declineReason: 'card expired' });
  });

  it('keeps one payment per order', async () => {
    const data = {
      orderId: randomUUID(),
      customerId: 'c',
      amountMinor: 1,
      currency: 'EUR',
      status: 'VOIDED' as const,
      authorisationId: randomUUID(),
    };
    await db.client.payment.create({ data });
    await expect(
      db.client.payment.create({ data: { ...data, authorisationId: randomUUID() } }),
    ).rejects.toMatchObject(uniqueViolation);
  });

  it('records a tombstone (voided before any authorisation) without customer or amount, and nothing else without them', async () => {
    const tombstone = await db.client.payment.create({ data: { orderId: randomUUID(), status: 'CANCELLED' } });
    expect(tombstone).toMatchObject({ customerId: null, amountMinor: null, authorisationId: null });
    await expect(
      db.client.payment.create({ data: { orderId: randomUUID(), status: 'AUTHORISED', authorisationId: randomUUID() } }),
    ).rejects.toThrow(/payment_order_data_check/);
    await expect(
      db.client.payment.create({ data: { orderId: randomUUID(), status: 'CANCELLED', authorisationId: randomUUID() } }),
    ).rejects.toThrow(/payment_status_check/);
  });

  it('refuses a status without the data it requires', async () => {
    const base = { customerId: 'c', amountMinor: 1, currency: 'EUR' };
    await expect(
      db.client.payment.create({ data: { ...base, orderId: randomUUID(), status: 'AUTHORISED' } }),
    ).rejects.toThrow(/payment_status_check/);
    await expect(
      db.client.payment.create({
        data: { ...base, orderId: randomUUID(), status: 'CAPTURED', authorisationId: randomUUID() },
      }),
    ).rejects.toThrow(/payment_status_check/);
    await expect(
      db.client.payment.create({ data: { ...base, orderId: randomUUID(), status: 'DECLINED' } }),
    ).rejects.toThrow(/payment_status_check/);
  });
});

describe('notification database', () => {
  let db: Awaited<ReturnType<typeof migratedDatabase<NotificationDatabase>>>;
  beforeAll(async () => (db = await migratedDatabase('notification', NotificationDatabase)));
  afterAll(() => db?.dispose());

  it('records each outcome an order’s customer was told once', async () => {
    const orderId = randomUUID();
    const sent = await db.client.notification.create({
      data: { orderId, customerId: 'customer-1', template: 'order-confirmed', channel: 'log' },
    });
    expect(sent.sentAt).toBeInstanceOf(Date);

    await expect(
      db.client.notification.create({
        data: { orderId, customerId: 'customer-1', template: 'order-confirmed', channel: 'smtp' },
      }),
    ).rejects.toMatchObject(uniqueViolation);
    await db.client.notification.create({
      data: { orderId, customerId: 'customer-1', template: 'order-cancelled', channel: 'log' },
    });

    const told = await db.client.notification.findMany({ where: { orderId }, orderBy: { template: 'asc' } });
    expect(told.map((n) => n.template)).toEqual(['order-cancelled', 'order-confirmed']);
    await db.client.notification.update({ where: { id: sent.id }, data: { channel: 'smtp' } });
    expect(
      (
        await db.client.notification.findUniqueOrThrow({
          where: { orderId_template: { orderId, template: 'order-confirmed' } },
        })
      ).channel,
    ).toBe('smtp');
  });
});
