import { randomUUID } from 'node:crypto';
import {
  AuthorisePayment,
  CapturePayment,
  CommitStock,
  OrderCancelled,
  OrderConfirmed,
  OrderRejected,
  ReleaseStock,
  ReserveStock,
  StockReserved,
  VoidPayment,
} from '@orderly/contracts';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  createProvisionedVhost,
  createTestDatabase,
  freePort,
  type ProvisionedVhost,
  startServiceProcess,
  type ServiceProcess,
  type TestDatabase,
  workspaceRoot,
} from '@orderly/testing';
import { Client } from 'pg';
import { FakeParticipants } from '../test-support/fake-participants';
import type { OrderView } from './order-view';

// order-service as a real process over the run's RabbitMQ (a vhost provisioned by the broker app) and
// PostgreSQL (its own migrated database); inventory, payment and notification are scripted fakes that
// consume their real queues (test-support/fake-participants.ts). The four-service paths are apps/e2e's.

jest.setTimeout(120_000);

const AdminToken = 'test-admin-token-0123456789';

/** A database migrated with order-service's committed migrations and a vhost provisioned by the broker app. */
async function orderServiceWorld(prefix: string): Promise<{ db: TestDatabase; broker: ProvisionedVhost }> {
  const [db, broker] = await Promise.all([createTestDatabase(prefix), createProvisionedVhost(prefix)]);
  const client = new Client({ connectionString: db.url });
  await client.connect();
  try {
    const dir = path.join(workspaceRoot(), 'prisma', 'order', 'migrations');
    for (const name of readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort()) {
      await client.query(readFileSync(path.join(dir, name, 'migration.sql'), 'utf8'));
    }
  } finally {
    await client.end();
  }
  return { db, broker };
}

/** order-service's real entry point as a process, ready; `settings` are extra environment variables. */
async function startOrderService(
  world: { db: TestDatabase; broker: ProvisionedVhost },
  settings: Record<string, string>,
): Promise<{ process: ServiceProcess; url: string }> {
  const port = await freePort();
  const service = startServiceProcess('order-service', {
    PORT: String(port),
    DATABASE_URL: world.db.url,
    AMQP_URL: world.broker.amqpUrlFor('order-service'),
    ADMIN_TOKEN: AdminToken,
    LOG_LEVEL: 'warn',
    ...settings,
  });
  const url = `http://127.0.0.1:${port}`;
  await service.waitForHttp(`${url}/health/ready`, 45_000);
  return { process: service, url };
}

/** Polls `probe` until it returns a value (not undefined/false); fails naming `what` after `timeoutMs`. */
async function waitFor<T>(
  probe: () => Promise<T | undefined | false>,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? ` (${String(last)})` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

let world: { db: TestDatabase; broker: ProvisionedVhost };
let fakes: FakeParticipants;

beforeAll(async () => {
  world = await orderServiceWorld('order_api');
  fakes = await FakeParticipants.start((service) => world.broker.amqpUrlFor(service));
}, 120_000);

afterAll(async () => {
  await fakes?.stop();
  await Promise.allSettled([world?.db.dispose(), world?.broker.dispose()]);
});

const order = (customerId = 'c-1', lines = [{ sku: 'A-1', quantity: 2, unitPriceMinor: 1250 }]) => ({
  customerId,
  currency: 'EUR',
  lines,
});

function http(base: string) {
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json().catch(() => undefined)) as any };
  };
  const settled = (id: string) =>
    waitFor(async () => {
      const { body } = await call('GET', `/orders/${id}`);
      const o = body as OrderView;
      return o.status !== 'PENDING' && ['COMPLETED', 'COMPENSATED', 'FAILED'].includes(o.saga?.status ?? '')
        ? o
        : undefined;
    }, `order ${id} to settle`);
  return { call, settled };
}

describe('order-service with scripted participants (long deadlines)', () => {
  let service: { process: ServiceProcess; url: string };
  let api: ReturnType<typeof http>;

  beforeAll(async () => {
    service = await startOrderService(world, { SAGA_STEP_TIMEOUT_MS: '60000' });
    api = http(service.url);
  }, 120_000);
  afterAll(async () => {
    await service?.process.stop();
  });

  it('confirms an order: reserve, authorise, commit, capture, then OrderConfirmed; the timeline shows each message', async () => {
    const placed = await api.call(
      'POST',
      '/orders',
      order('c-1', [
        { sku: 'A-1', quantity: 2, unitPriceMinor: 1250 },
        { sku: 'A-1', quantity: 1, unitPriceMinor: 1250 },
        { sku: 'B-2', quantity: 1, unitPriceMinor: 99 },
      ]),
    );
    expect(placed.status).toBe(201);
    expect(placed.body).toMatchObject({
      status: 'PENDING',
      totalMinor: 3849,
      currency: 'EUR',
      saga: { type: 'place-order', status: 'RUNNING' },
    });
    expect(placed.body.lines).toEqual([
      { sku: 'A-1', quantity: 3, unitPriceMinor: 1250 },
      { sku: 'B-2', quantity: 1, unitPriceMinor: 99 },
    ]);
    const done = await api.settled(placed.body.id);
    expect(done).toMatchObject({
      status: 'CONFIRMED',
      saga: { status: 'COMPLETED', step: 'capture-payment' },
    });
    expect(done.reason).toBeUndefined();
    await waitFor(
      async () => fakes.typesFor(done.id).includes(OrderConfirmed.type),
      'OrderConfirmed to be delivered',
    );
    expect(fakes.typesFor(done.id)).toEqual([
      ReserveStock.type,
      AuthorisePayment.type,
      CommitStock.type,
      CapturePayment.type,
      OrderConfirmed.type,
    ]);
    const reserve = fakes.received.find((m) => m.type === ReserveStock.type && m.subject === done.id);
    expect(reserve).toMatchObject({
      correlationId: done.id,
      data: {
        orderId: done.id,
        lines: [
          { sku: 'A-1', quantity: 3 },
          { sku: 'B-2', quantity: 1 },
        ],
      },
    });
    expect((done.saga?.timeline ?? []).map((e) => `${e.direction} ${e.step} ${e.messageType}`)).toEqual([
      `sent reserve-stock ${ReserveStock.type}`,
      'received reserve-stock inventory.stock-reserved',
      `sent authorise-payment ${AuthorisePayment.type}`,
      'received authorise-payment payment.authorised',
      `sent commit-stock ${CommitStock.type}`,
      'received commit-stock inventory.stock-committed',
      `sent capture-payment ${CapturePayment.type}`,
      'received capture-payment payment.captured',
      `sent completed ${OrderConfirmed.type}`,
    ]);
    expect(done.saga?.timeline[0].messageId).toBe(reserve?.id);
  });

  it('rejects an order when stock is insufficient, and charges nothing', async () => {
    const placed = await api.call(
      'POST',
      '/orders',
      order('c-2', [{ sku: 'SOLD-OUT-1', quantity: 1, unitPriceMinor: 5 }]),
    );
    const done = await api.settled(placed.body.id);
    expect(done).toMatchObject({
      status: 'REJECTED',
      reason: 'insufficient stock',
      saga: { status: 'COMPENSATED' },
    });
    await waitFor(
      async () => fakes.typesFor(done.id).includes(OrderRejected.type),
      'OrderRejected to be delivered',
    );
    expect(fakes.typesFor(done.id)).toEqual([ReserveStock.type, OrderRejected.type]);
  });

  it('releases the stock and rejects when the payment is declined', async () => {
    const placed = await api.call('POST', '/orders', order('declined'));
    const done = await api.settled(placed.body.id);
    expect(done).toMatchObject({
      status: 'REJECTED',
      reason: 'payment declined: card declined',
      saga: { status: 'COMPENSATED' },
    });
    await waitFor(
      async () => fakes.typesFor(done.id).includes(OrderRejected.type),
      'OrderRejected to be delivered',
    );
    expect(fakes.typesFor(done.id)).toEqual([
      ReserveStock.type,
      AuthorisePayment.type,
      ReleaseStock.type,
      OrderRejected.type,
    ]);
  });

  it('cancel while the payment is pending: void, then release, CANCELLED; a second cancel is 409', async () => {
    const placed = await api.call('POST', '/orders', order('hold'));
    const id = placed.body.id as string;
    await waitFor(
      async () => fakes.typesFor(id).includes(AuthorisePayment.type),
      'AuthorisePayment to arrive',
    );
    const cancelled = await api.call('POST', `/orders/${id}/cancel`);
    expect(cancelled.status).toBe(202);
    expect(cancelled.body).toMatchObject({
      id,
      status: 'PENDING',
      saga: { status: 'COMPENSATING', step: 'authorise-payment:compensate' },
    });
    const done = await api.settled(id);
    expect(done).toMatchObject({
      status: 'CANCELLED',
      reason: 'cancelled by customer',
      saga: { status: 'COMPENSATED' },
    });
    await waitFor(
      async () => fakes.typesFor(id).includes(OrderCancelled.type),
      'OrderCancelled to be delivered',
    );
    expect(fakes.typesFor(id)).toEqual([
      ReserveStock.type,
      AuthorisePayment.type,
      VoidPayment.type,
      ReleaseStock.type,
      OrderCancelled.type,
    ]);
    expect((await api.call('POST', `/orders/${id}/cancel`)).status).toBe(409);
  });

  it('a redelivered reply and a second answer to one command change nothing', async () => {
    const placed = await api.call(
      'POST',
      '/orders',
      order('c-3', [{ sku: 'TWICE-1', quantity: 1, unitPriceMinor: 10 }]),
    );
    const done = await api.settled(placed.body.id);
    expect(done.status).toBe('CONFIRMED');
    expect((done.saga?.timeline ?? []).filter((e) => e.messageType === StockReserved.type)).toHaveLength(1);
    expect(fakes.typesFor(done.id).filter((t) => t === AuthorisePayment.type)).toHaveLength(1);
  });

  it('answers 400 with one entry per bad field', async () => {
    const bad = await api.call('POST', '/orders', {
      customerId: '',
      currency: 'eur',
      lines: [{ sku: 'A', quantity: 0, unitPriceMinor: -1 }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe('Invalid order');
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'currency',
      'customerId',
      'lines.0.quantity',
      'lines.0.unitPriceMinor',
    ]);
    expect((await api.call('POST', '/orders', { ...order(), lines: [] })).body.errors).toEqual([
      expect.objectContaining({ path: 'lines' }),
    ]);
    expect((await api.call('POST', '/orders', 'not json at all')).status).toBe(400);
    const badId = await api.call('GET', '/orders/not-a-uuid');
    expect(badId).toMatchObject({
      status: 400,
      body: { errors: [{ path: 'id', message: 'must be a UUID' }] },
    });
    expect((await api.call('GET', `/orders/${randomUUID()}`)).status).toBe(404);
    expect((await api.call('POST', `/orders/${randomUUID()}/cancel`)).status).toBe(404);
  });

  it('an Idempotency-Key returns the first order for the same body, and refuses another body with 422', async () => {
    const key = `key-${randomUUID()}`;
    const [first, second] = await Promise.all([
      api.call('POST', '/orders', order('c-4'), { 'Idempotency-Key': key }),
      api.call('POST', '/orders', order('c-4'), { 'Idempotency-Key': key }),
    ]);
    expect([first.status, second.status].sort()).toEqual([200, 201]);
    expect(second.body.id).toBe(first.body.id);
    const again = await api.call('POST', '/orders', order('c-4'), { 'Idempotency-Key': key });
    expect(again).toMatchObject({ status: 200, body: { id: first.body.id } });
    const other = await api.call('POST', '/orders', order('c-5'), { 'Idempotency-Key': key });
    expect(other.status).toBe(422);
    await api.settled(first.body.id);
    expect(fakes.typesFor(first.body.id).filter((t) => t === ReserveStock.type)).toHaveLength(1);
  });

  it('operator API: 401 without the token; lists, shows and refuses to retry a saga that is not FAILED', async () => {
    expect((await api.call('GET', '/admin/sagas')).status).toBe(401);
    expect(
      (await api.call('GET', '/admin/sagas', undefined, { authorization: 'Bearer wrong-token-0123456789' }))
        .status,
    ).toBe(401);
    const auth = { authorization: `Bearer ${AdminToken}` };
    const listed = await api.call('GET', '/admin/sagas?status=COMPENSATED&type=place-order', undefined, auth);
    expect(listed.status).toBe(200);
    expect(listed.body.sagas.length).toBeGreaterThan(0);
    expect(listed.body.sagas.every((s: { status: string }) => s.status === 'COMPENSATED')).toBe(true);
    expect((await api.call('GET', '/admin/sagas?status=NOPE', undefined, auth)).status).toBe(400);
    const one = await api.call('GET', `/admin/sagas/${listed.body.sagas[0].id}`, undefined, auth);
    expect(one).toMatchObject({
      status: 200,
      body: { id: listed.body.sagas[0].id, timeline: expect.any(Array) },
    });
    expect(
      (await api.call('POST', `/admin/sagas/${listed.body.sagas[0].id}/retry`, undefined, auth)).status,
    ).toBe(409);
    expect((await api.call('POST', `/admin/sagas/${randomUUID()}/retry`, undefined, auth)).status).toBe(404);
  });

  it('serves its OpenAPI document', async () => {
    const docs = await api.call('GET', '/docs-json');
    expect(docs.status).toBe(200);
    expect(Object.keys(docs.body.paths)).toEqual(
      expect.arrayContaining(['/orders', '/orders/{id}', '/orders/{id}/cancel', '/admin/sagas']),
    );
  });
});

describe('order-service with a silent payment service (short deadlines)', () => {
  let service: { process: ServiceProcess; url: string };

  beforeAll(async () => {
    service = await startOrderService(world, {
      SAGA_STEP_TIMEOUT_MS: '2000',
      SAGA_STEP_MAX_ATTEMPTS: '2',
      SAGA_SWEEP_INTERVAL_MS: '50',
    });
    // A freshly started process is slow on its first messages (connections, JIT): one order through
    // first, so the deadline below only ever meets the silent payment service.
    const api = http(service.url);
    await api.settled((await api.call('POST', '/orders', order('warm-up'))).body.id);
  }, 120_000);
  afterAll(async () => {
    await service?.process.stop();
  });

  it('re-sends AuthorisePayment, then voids and releases: REJECTED with "payment timed out"', async () => {
    const api = http(service.url);
    const placed = await api.call('POST', '/orders', order('silent'));
    const done = await api.settled(placed.body.id);
    expect(done).toMatchObject({
      status: 'REJECTED',
      reason: 'payment timed out',
      saga: { status: 'COMPENSATED' },
    });
    await waitFor(
      async () => fakes.typesFor(done.id).includes(OrderRejected.type),
      'OrderRejected to be delivered',
    );
    // Any step may be re-sent on a slow machine; the order of first sends and the payment's attempts may not vary.
    const types = fakes.typesFor(done.id);
    expect([...new Set(types)]).toEqual([
      ReserveStock.type,
      AuthorisePayment.type,
      VoidPayment.type,
      ReleaseStock.type,
      OrderRejected.type,
    ]);
    expect(types.filter((t) => t === AuthorisePayment.type)).toHaveLength(2);
    const sends = (done.saga?.timeline ?? []).filter((e) => e.messageType === AuthorisePayment.type);
    expect(sends.map((e) => [e.attempt, e.outcome])).toEqual([
      [1, 'sent'],
      [2, 'resent after deadline'],
    ]);
  });
});

describe('order-service without a free database connection', () => {
  let service: { process: ServiceProcess; url: string };

  beforeAll(async () => {
    // One connection: a request that holds it leaves none for the next.
    service = await startOrderService(world, { DATABASE_POOL_SIZE: '1' });
  }, 120_000);

  afterAll(async () => {
    await service?.process.stop();
  });

  it('answers 503 with Retry-After, not 500, and commits nothing of that request; a retry succeeds', async () => {
    const api = http(service.url);
    const locker = new Client({ connectionString: world.db.url });
    await locker.connect();
    let reading: Promise<{ status: number; body: any }> | undefined;
    try {
      // Nothing can read orders while this lock is held: a read waits inside, on the service's only
      // connection (a plain query has no timeout of its own, unlike a transaction).
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE "order" IN ACCESS EXCLUSIVE MODE');
      reading = api.call('GET', `/orders/${randomUUID()}`);
      await waitFor(async () => {
        const { rows } = await locker.query(
          `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        return rows.length > 0;
      }, 'the read to wait for the lock');

      // The Idempotency-Key lookup waits for a connection (5 s), then the request is refused.
      const busy = await fetch(`${service.url}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': `busy-${randomUUID()}` },
        body: JSON.stringify(order('busy-retry')),
      });
      expect({
        status: busy.status,
        retryAfter: busy.headers.get('retry-after'),
        body: await busy.json(),
      }).toEqual({
        status: 503,
        retryAfter: '1',
        body: { statusCode: 503, message: 'the service is busy: try again shortly' },
      });
      // A transaction gives up sooner (Prisma's maxWait, 2 s), with the same answer.
      const busyTransaction = await api.call('POST', '/orders', order('busy-retry'));
      expect(busyTransaction.status).toBe(503);
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      await locker.end();
    }
    expect((await reading)?.status).toBe(404);
    const retried = await api.call('POST', '/orders', order('busy-retry'));
    expect(retried.status).toBe(201);
    const reader = new Client({ connectionString: world.db.url });
    await reader.connect();
    try {
      const { rows } = await reader.query<{ customer_id: string }>(
        `SELECT customer_id FROM "order" WHERE customer_id = 'busy-retry'`,
      );
      // The refused requests left nothing behind: the one order is the retry's.
      expect(rows.map((r) => r.customer_id)).toEqual(['busy-retry']);
    } finally {
      await reader.end();
    }
  });
});
