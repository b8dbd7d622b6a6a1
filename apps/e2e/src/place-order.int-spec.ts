import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import {
  AuthorisePayment,
  CapturePayment,
  CommitStock,
  NotificationSent,
  OrderCancelled,
  OrderConfirmed,
  OrderPlaced,
  OrderRejected,
  PaymentAuthorised,
  PaymentCaptured,
  PaymentDeclined,
  ReleaseStock,
  ReserveStock,
  Services,
  StockCommitted,
  StockReleased,
  StockReserved,
  StockUnavailable,
} from '@orderly/contracts';
import { OtlpReceiver, type OrderView, startTestStack, type TestStack } from '@orderly/testing';
import { eventually } from './support/eventually';
import { messageFlow, received, sent } from './support/message-flow';
import { ServiceDatabases } from './support/service-databases';
import { hop, renderSpanTree, spanChain } from './support/span-tree';

// The place-order saga down every path, with order-, inventory-, payment- and notification-service
// running as real processes over the run's real RabbitMQ (a vhost provisioned by the broker app) and
// PostgreSQL (one migrated database per service). Each test uses products of its own.

/**
 * Saga deadlines short enough that the timeout path takes seconds, with room for a busy machine (a
 * reply later than the deadline only causes a re-send, which the flows below tolerate).
 */
const StepTimeoutMs = 3_000;
const StepMaxAttempts = 3;
/** OTLP span kinds (ReceivedSpan.kind). */
const SpanKind = { producer: 4, consumer: 5 } as const;
/** Every saga here ends well within this; a saga that does not is a bug, and the error shows its state. */
const SettleTimeoutMs = 45_000;

let stack: TestStack;
let db: ServiceDatabases;
let traces: OtlpReceiver;

beforeAll(async () => {
  // Every service exports its spans here, as it would to a collector (batched every 200 ms).
  traces = await OtlpReceiver.start();
  const tracing = { OTEL_EXPORTER_OTLP_ENDPOINT: traces.endpoint, OTEL_BSP_SCHEDULE_DELAY: '200' };
  stack = await startTestStack({
    prefix: 'e2e',
    env: {
      [Services.inventory]: tracing,
      [Services.payment]: tracing,
      [Services.notification]: tracing,
      [Services.order]: {
        ...tracing,
        SAGA_STEP_TIMEOUT_MS: String(StepTimeoutMs),
        SAGA_STEP_MAX_ATTEMPTS: String(StepMaxAttempts),
        // Deadlines are noticed at most one sweep late.
        SAGA_SWEEP_INTERVAL_MS: '100',
        ADMIN_TOKEN: 'e2e-admin-token-not-a-secret',
      },
    },
  });
  db = new ServiceDatabases(stack.databaseUrls);
  // The first order through a fresh stack pays for lazy set-up in every service (connections, channels,
  // prepared statements); one order settled here keeps that out of the first test's timings.
  const product = await db.addProduct(1);
  await placeAndSettle(order('e2e-warm-up', [{ ...product, quantity: 1 }]));
}, 330_000);

afterAll(async () => {
  await db?.close();
  const exits = await stack?.stop();
  await traces?.close();
  // Every service drains and exits on SIGTERM (Nest re-raises it after a graceful shutdown).
  for (const { name, exit } of exits ?? []) {
    expect({ name, clean: exit.code === 0 || exit.signal === 'SIGTERM' }).toEqual({ name, clean: true });
  }
}, 60_000);

const order = (customerId: string, lines: Array<{ sku: string; priceMinor: number; quantity: number }>) => ({
  customerId,
  currency: 'EUR',
  lines: lines.map(({ sku, priceMinor, quantity }) => ({ sku, quantity, unitPriceMinor: priceMinor })),
});

async function placeAndSettle(request: ReturnType<typeof order>): Promise<OrderView> {
  const placed = await stack.orders.place(request, randomUUID());
  expect(placed.status).toBe('PENDING');
  return stack.orders.waitUntilSettled(placed.id, { timeoutMs: SettleTimeoutMs });
}

const notificationsOf = (orderId: string, count: number) =>
  eventually(
    () => db.notifications(orderId),
    (rows) => rows.length >= count,
  );

describe('place-order saga, end to end', () => {
  it('confirms an order: stock committed, payment captured, the customer notified once', async () => {
    const product = await db.addProduct(5);
    const final = await placeAndSettle(order('e2e-ada', [{ ...product, quantity: 2 }]));

    expect({ status: final.status, reason: final.reason, saga: final.saga?.status }).toEqual({
      status: 'CONFIRMED',
      reason: undefined,
      saga: 'COMPLETED',
    });
    expect(final.totalMinor).toBe(2 * product.priceMinor);
    expect(messageFlow(final)).toEqual([
      sent(ReserveStock.type),
      received(StockReserved.type),
      sent(AuthorisePayment.type),
      received(PaymentAuthorised.type),
      sent(CommitStock.type),
      received(StockCommitted.type),
      sent(CapturePayment.type),
      received(PaymentCaptured.type),
      sent(OrderConfirmed.type),
    ]);
    expect(await db.orderStatus(final.id)).toBe('CONFIRMED');
    expect(await db.product(product.sku)).toEqual({ sku: product.sku, available: 3, reserved: 0, sold: 2 });
    expect(await db.reservation(final.id)).toEqual({
      status: 'COMMITTED',
      lines: [{ sku: product.sku, quantity: 2 }],
    });
    expect(await db.payment(final.id)).toEqual({
      status: 'CAPTURED',
      amountMinor: 2 * product.priceMinor,
      currency: 'EUR',
    });
    expect(await notificationsOf(final.id, 1)).toEqual([
      { template: 'order-confirmed', customerId: 'e2e-ada' },
    ]);
    // A decided order cannot be cancelled any more.
    expect(await stack.orders.cancel(final.id)).toBe(409);
  });

  it('follows an order through all four services in one trace: the HTTP request, then each message published by a relay and processed by its receiver', async () => {
    const product = await db.addProduct(1);
    const final = await placeAndSettle(order('e2e-trace', [{ ...product, quantity: 1 }]));
    await notificationsOf(final.id, 1);

    const traceIds = new Set(final.saga?.timeline.map((entry) => entry.traceId));
    expect(traceIds.size).toBe(1);
    const [traceId] = [...traceIds];
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);

    // Each message of the saga, in order: the relay of the sender publishes the row (a child of the span
    // that wrote it), and the receiver processes it (a child of that publish), writing the next row.
    const expected = spanChain(
      { service: Services.order, span: 'POST /orders (server)', alsoPublishes: [OrderPlaced] },
      [
        hop(ReserveStock, Services.order, Services.inventory),
        hop(StockReserved, Services.inventory, Services.order),
        hop(AuthorisePayment, Services.order, Services.payment),
        hop(PaymentAuthorised, Services.payment, Services.order),
        hop(CommitStock, Services.order, Services.inventory),
        hop(StockCommitted, Services.inventory, Services.order),
        hop(CapturePayment, Services.order, Services.payment),
        hop(PaymentCaptured, Services.payment, Services.order),
        hop(OrderConfirmed, Services.order, Services.notification, [NotificationSent]),
      ],
    );
    // Spans are exported in batches, a parent after its children: wait until the whole tree is in.
    const spansOfTrace = () => traces.spans.filter((span) => span.traceId === traceId);
    const tree = await eventually(
      async () => renderSpanTree(spansOfTrace()),
      (lines) => isDeepStrictEqual(lines, expected),
    );
    // One root and no orphan: every span reaches the HTTP request by its parent links.
    expect(tree).toEqual(expected);
    const spans = spansOfTrace();
    expect(new Set(spans.map((span) => span.service))).toEqual(new Set(Object.values(Services)));

    // The same links by message id: every message on the saga's timeline was processed in a span whose
    // parent is the publish span of that very message.
    const spanOf = (kind: number, messageId: string) =>
      spans.find((span) => span.kind === kind && span.attributes['messaging.message.id'] === messageId);
    const timeline = final.saga?.timeline ?? [];
    expect(
      timeline.map(({ messageType, messageId }) => ({
        messageType,
        processedUnderItsPublish: [spanOf(SpanKind.producer, messageId)].some(
          (publish) => publish && spanOf(SpanKind.consumer, messageId)?.parentSpanId === publish.spanId,
        ),
      })),
    ).toEqual(timeline.map(({ messageType }) => ({ messageType, processedUnderItsPublish: true })));
  });

  it('rejects an order for more than the stock: nothing held, nothing charged', async () => {
    const product = await db.addProduct(1);
    const final = await placeAndSettle(order('e2e-grace', [{ ...product, quantity: 2 }]));

    expect({ status: final.status, reason: final.reason }).toEqual({
      status: 'REJECTED',
      reason: 'insufficient stock',
    });
    expect(messageFlow(final)).toEqual([
      sent(ReserveStock.type),
      received(StockUnavailable.type),
      sent(OrderRejected.type),
    ]);
    expect(await db.orderStatus(final.id)).toBe('REJECTED');
    expect(await db.product(product.sku)).toEqual({ sku: product.sku, available: 1, reserved: 0, sold: 0 });
    expect((await db.reservation(final.id))?.status).toBe('REFUSED');
    expect(await db.payment(final.id)).toBeUndefined();
    expect(await notificationsOf(final.id, 1)).toEqual([
      { template: 'order-rejected', customerId: 'e2e-grace' },
    ]);
  });

  it('rejects an order whose payment is declined, and releases its stock', async () => {
    const product = await db.addProduct(4);
    const final = await placeAndSettle(order('declined-e2e', [{ ...product, quantity: 3 }]));

    expect({ status: final.status, reason: final.reason }).toEqual({
      status: 'REJECTED',
      reason: expect.stringMatching(/^payment declined/),
    });
    expect(final.saga?.status).toBe('COMPENSATED');
    expect(messageFlow(final)).toEqual([
      sent(ReserveStock.type),
      received(StockReserved.type),
      sent(AuthorisePayment.type),
      received(PaymentDeclined.type),
      sent(ReleaseStock.type),
      received(StockReleased.type),
      sent(OrderRejected.type),
    ]);
    expect(await db.orderStatus(final.id)).toBe('REJECTED');
    expect(await db.product(product.sku)).toEqual({ sku: product.sku, available: 4, reserved: 0, sold: 0 });
    expect((await db.reservation(final.id))?.status).toBe('RELEASED');
    expect((await db.payment(final.id))?.status ?? 'none').toMatch(/^(DECLINED|none)$/);
    expect(await notificationsOf(final.id, 1)).toEqual([
      { template: 'order-rejected', customerId: 'declined-e2e' },
    ]);
  });

  it('re-sends the authorisation to a silent payment service up to the limit, then compensates', async () => {
    const product = await db.addProduct(2);
    const final = await placeAndSettle(order('silent-e2e', [{ ...product, quantity: 1 }]));

    expect({ status: final.status, reason: final.reason }).toEqual({
      status: 'REJECTED',
      reason: 'payment timed out',
    });
    expect(final.saga?.status).toBe('COMPENSATED');
    const authorisations = (final.saga?.timeline ?? []).filter(
      (e) => e.direction === 'sent' && e.messageType === AuthorisePayment.type,
    );
    expect(authorisations.map((e) => e.attempt)).toEqual(
      Array.from({ length: StepMaxAttempts }, (_, i) => i + 1),
    );
    const flow = messageFlow(final);
    expect(flow.slice(0, 2)).toEqual([sent(ReserveStock.type), received(StockReserved.type)]);
    expect(flow).not.toContain(received(PaymentAuthorised.type));
    // Compensation ends by releasing the stock; then the outcome is announced.
    expect(flow.slice(-3)).toEqual([
      sent(ReleaseStock.type),
      received(StockReleased.type),
      sent(OrderRejected.type),
    ]);
    expect(await db.orderStatus(final.id)).toBe('REJECTED');
    expect(await db.product(product.sku)).toEqual({ sku: product.sku, available: 2, reserved: 0, sold: 0 });
    expect((await db.reservation(final.id))?.status).toBe('RELEASED');
    // The void may reach the payment service before (a tombstone, CANCELLED) or after any authorisation.
    expect((await db.payment(final.id))?.status ?? 'none').toMatch(/^(VOIDED|CANCELLED|none)$/);
  });

  it('cancels an order while its saga waits for the payment: stock released, nothing charged', async () => {
    const product = await db.addProduct(3);
    // A silent payment service keeps the saga mid-flight, so the cancel always lands while it runs.
    const placed = await stack.orders.place(order('silent-cancel-e2e', [{ ...product, quantity: 2 }]));
    await stack.orders.waitFor(
      placed.id,
      (o) => messageFlow(o).includes(sent(AuthorisePayment.type)),
      'waiting for the payment',
      { timeoutMs: SettleTimeoutMs },
    );
    expect(await stack.orders.cancel(placed.id)).toBe(202);
    const final = await stack.orders.waitUntilSettled(placed.id, { timeoutMs: SettleTimeoutMs });

    expect(final.status).toBe('CANCELLED');
    expect(final.saga?.status).toBe('COMPENSATED');
    const flow = messageFlow(final);
    expect(flow.slice(0, 3)).toEqual([
      sent(ReserveStock.type),
      received(StockReserved.type),
      sent(AuthorisePayment.type),
    ]);
    expect(flow).toContain(sent(ReleaseStock.type));
    expect(flow.slice(-2)).toEqual([received(StockReleased.type), sent(OrderCancelled.type)]);
    expect(flow).not.toContain(sent(CapturePayment.type));
    expect(await db.orderStatus(final.id)).toBe('CANCELLED');
    expect(await db.product(product.sku)).toEqual({ sku: product.sku, available: 3, reserved: 0, sold: 0 });
    expect((await db.reservation(final.id))?.status).toBe('RELEASED');
    // The void may reach the payment service before (a tombstone, CANCELLED) or after any authorisation.
    expect((await db.payment(final.id))?.status ?? 'none').toMatch(/^(VOIDED|CANCELLED|none)$/);
  });

  it('sells the last units once when many orders compete for them: no oversell, every saga terminal', async () => {
    const units = 3;
    const buyers = 12;
    const product = await db.addProduct(units);
    const finals = await Promise.all(
      Array.from({ length: buyers }, (_, i) =>
        placeAndSettle(order(`e2e-buyer-${i}`, [{ ...product, quantity: 1 }])),
      ),
    );

    const confirmed = finals.filter((o) => o.status === 'CONFIRMED');
    expect(confirmed).toHaveLength(units);
    expect(finals.filter((o) => o.status === 'REJECTED')).toHaveLength(buyers - units);
    expect(finals.every((o) => o.saga?.status === 'COMPLETED' || o.saga?.status === 'COMPENSATED')).toBe(
      true,
    );
    expect(await db.product(product.sku)).toEqual({
      sku: product.sku,
      available: 0,
      reserved: 0,
      sold: units,
    });
    const payments = await Promise.all(finals.map((o) => db.payment(o.id)));
    expect(payments.filter((p) => p?.status === 'CAPTURED')).toHaveLength(units);
    for (const rejected of finals.filter((o) => o.status === 'REJECTED')) {
      expect(messageFlow(rejected)).toEqual([
        sent(ReserveStock.type),
        received(StockUnavailable.type),
        sent(OrderRejected.type),
      ]);
      expect(await db.payment(rejected.id)).toBeUndefined();
    }
  });
});
