import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  AuthorisePayment,
  CapturePayment,
  deadLetterQueueOf,
  Exchanges,
  Queues,
  ReserveStock,
  Services,
} from '@orderly/contracts';
import { SeedProducts } from '@orderly/inventory-seed';
import { seedInventory } from '@orderly/local-stack';
import { DeadLetterHeaders } from '@orderly/messaging';
// The checks run the whole system on the test run's real broker and database, like apps/e2e.
// eslint-disable-next-line @nx/enforce-module-boundaries
import {
  freePort,
  lastSentMessage,
  type OrderView,
  publishByHand,
  redeliveryOf,
  type SentMessage,
  startTestStack,
  type TestStack,
} from '@orderly/testing';
import { Client } from 'pg';
import {
  alertRules,
  metricNamesIn,
  prometheusDir,
  promQueries,
  rulesFile,
  withVariablesResolved,
} from './grafana-files';
import { PrometheusServer } from './prometheus-server';

// `npm test` runs every project in one jest process, which applies the global testTimeout (5 s), not the
// preset's: tests that start processes say how long they may take.
const TEST_TIMEOUT_MS = 60_000;
/** Every order here settles within seconds; one that does not is a bug, and the error shows its state. */
const SETTLE_TIMEOUT_MS = 45_000;

/** The services in the order of prometheus.yml's `orderly-services` targets. */
const ScrapedServices = [
  { service: Services.order, target: 'order-service:3001' },
  { service: Services.inventory, target: 'inventory-service:3002' },
  { service: Services.payment, target: 'payment-service:3003' },
  { service: Services.notification, target: 'notification-service:3004' },
] as const;

/** The service stopped at the end, so that "instance down" and "queue without consumers" are real. */
const StoppedService = Services.notification;

/**
 * grafana/prometheus/prometheus.yml as it is, pointed at this run's servers: the broker's Prometheus
 * port, the four services' real host:port, the real rule file, and a 1 s interval.
 */
function prometheusConfig(brokerTarget: string, serviceTargets: Record<string, string>): string {
  let config = readFileSync(path.join(prometheusDir, 'prometheus.yml'), 'utf8');
  const replace = (from: string | RegExp, to: string) => {
    const next = config.replace(from, to);
    if (next === config) throw new Error(`prometheus.yml no longer contains ${from}: update this test`);
    config = next;
  };
  replace(/scrape_interval: 15s/, 'scrape_interval: 1s');
  replace(/evaluation_interval: 15s/, 'evaluation_interval: 1s');
  replace('- rules/orderly.rules.yml', `- ${rulesFile}`);
  replace(/broker:15692/g, brokerTarget);
  for (const { service, target } of ScrapedServices) replace(target, serviceTargets[service]);
  return config;
}

describe('dashboard queries against Prometheus scraping the broker and the four running services after real orders', () => {
  let stack: TestStack;
  let prometheus: PrometheusServer;

  beforeAll(async () => {
    stack = await startTestStack({
      prefix: 'grafana',
      env: { [Services.order]: { ADMIN_TOKEN: randomBytes(18).toString('base64url') } },
    });
    await seedInventory(stack.databaseUrls.inventory);
    const overview = await stack.vhost.api<{ listeners: Array<{ protocol: string; port: number }> }>(
      'GET',
      '/overview',
    );
    const prometheusPort = overview.listeners.find((l) => l.protocol === 'http/prometheus')?.port;
    if (!prometheusPort) throw new Error('the test broker has no rabbitmq_prometheus listener');

    // Scraping starts before the traffic, so counters are seen rising from their first value.
    prometheus = await PrometheusServer.start(
      prometheusConfig(
        `127.0.0.1:${prometheusPort}`,
        Object.fromEntries(ScrapedServices.map(({ service }) => [service, new URL(stack.url(service)).host])),
      ),
      await freePort(),
    );
    await eventually(async () => {
      const scrapes = await prometheus.query('count by (job) (count_over_time(up[15s]) >= 2)');
      return scrapes.length === 3;
    }, 'every job scraped twice');

    await driveRealTraffic(stack);

    await stack.fleet.kill(StoppedService, 'SIGTERM');
    const stopped = new URL(stack.url(StoppedService)).host;
    await eventually(
      async () => (await prometheus.query(`up{instance="${stopped}"} == 0`)).length === 1,
      `${StoppedService} seen down`,
    );
  }, 240_000);

  afterAll(async () => {
    await prometheus?.stop();
    await stack?.stop();
  }, 60_000);

  it('runs every panel and variable query as valid PromQL, and each returns data', async () => {
    const problems: string[] = [];
    for (const query of promQueries()) {
      const expr = withVariablesResolved(query.expr);
      try {
        await eventually(async () => (await prometheus.query(expr)).length > 0, 'data', 10_000);
      } catch (error) {
        problems.push(`${query.dashboard} ${query.where}: ${(error as Error).message}\n    ${expr}`);
      }
    }
    expect(problems).toEqual([]);
  }, 120_000);

  it(
    'uses only broker metric names the rabbitmq_prometheus plugin really exports',
    async () => {
      const exported = new Set(
        (await prometheus.query('group by (__name__) ({__name__=~"rabbitmq_.+"})')).map(
          (r) => r.metric['__name__'],
        ),
      );
      const used = [...promQueries().map((q) => q.expr), ...alertRules().map((r) => r.expr)]
        .flatMap(metricNamesIn)
        .filter((name) => name.startsWith('rabbitmq_'));
      expect(used.length).toBeGreaterThan(10);
      expect([...new Set(used)].filter((name) => !exported.has(name))).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'evaluates every alert rule without error on the real series',
    async () => {
      await eventually(async () => {
        const { groups } = await prometheus.api<{
          groups: Array<{ rules: Array<{ lastEvaluation: string }> }>;
        }>('rules');
        return groups.flatMap((g) => g.rules).every((rule) => !rule.lastEvaluation.startsWith('0001'));
      }, 'every rule evaluated');
      const { groups } = await prometheus.api<{
        groups: Array<{ rules: Array<{ name: string; health: string; lastError?: string }> }>;
      }>('rules');
      const rules = groups.flatMap((g) => g.rules);
      expect(rules).toHaveLength(alertRules().length);
      expect(rules.filter((rule) => rule.health !== 'ok')).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );
});

/**
 * Orders and messages down every path the dashboards show, each checked to have ended as it should:
 * confirmed, declined, out of stock, cancelled, a handler failure retried, bad HTTP requests, messages
 * no handler can accept (parked in the DLQ with their reason), a duplicate delivery, and a publish the
 * broker returns.
 */
async function driveRealTraffic(stack: TestStack): Promise<void> {
  const { pen, poster } = SeedProducts;
  const order = (customerId: string, sku: string, unitPriceMinor: number, quantity = 1) => ({
    customerId,
    currency: 'EUR',
    lines: [{ sku, quantity, unitPriceMinor }],
  });
  const settled = async (request: ReturnType<typeof order>): Promise<OrderView> => {
    const placed = await stack.orders.place(request, randomUUID());
    return stack.orders.waitUntilSettled(placed.id, { timeoutMs: SETTLE_TIMEOUT_MS });
  };
  const outcome = (o: OrderView) => ({ status: o.status, reason: o.reason, saga: o.saga?.status });

  const [confirmed, declined, outOfStock] = await Promise.all([
    settled(order('grafana-ada', pen.sku, pen.priceMinor, 2)),
    // The gateway simulator declines customers whose id starts with `declined-`.
    settled(order('declined-grafana', pen.sku, pen.priceMinor)),
    settled(order('grafana-grace', poster.sku, poster.priceMinor)),
  ]);
  expect(outcome(confirmed)).toEqual({ status: 'CONFIRMED', reason: undefined, saga: 'COMPLETED' });
  expect(outcome(declined)).toEqual({
    status: 'REJECTED',
    reason: expect.stringMatching(/^payment declined/),
    saga: 'COMPENSATED',
  });
  expect(outcome(outOfStock)).toEqual({
    status: 'REJECTED',
    reason: 'insufficient stock',
    saga: 'COMPENSATED',
  });

  // A silent gateway (`silent-` customers) keeps the saga waiting for the payment while it is cancelled.
  const waiting = await stack.orders.place(order('silent-grafana', pen.sku, pen.priceMinor));
  await stack.orders.waitFor(
    waiting.id,
    (o) => !!o.saga?.timeline.some((e) => e.direction === 'sent' && e.messageType === AuthorisePayment.type),
    'waiting for the payment',
    { timeoutMs: SETTLE_TIMEOUT_MS },
  );
  expect(await stack.orders.cancel(waiting.id)).toBe(202);
  const cancelled = await stack.orders.waitUntilSettled(waiting.id, { timeoutMs: SETTLE_TIMEOUT_MS });
  expect(outcome(cancelled)).toEqual({
    status: 'CANCELLED',
    reason: 'cancelled by customer',
    saga: 'COMPENSATED',
  });

  expect(await retriedThenConfirmed(stack, order('grafana-retried', pen.sku, pen.priceMinor))).toBe(
    'CONFIRMED',
  );

  const badOrder = await fetch(`${stack.url(Services.order)}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ customerId: '', currency: 'EUR', lines: [] }),
  });
  expect(badOrder.status).toBe(400);
  const unknownOrder = await fetch(`${stack.url(Services.order)}/orders/${randomUUID()}`);
  expect(unknownOrder.status).toBe(404);

  expect(await parkPoisonMessages(stack)).toEqual([
    { errorType: 'InvalidMessageError', retryable: false },
    { errorType: 'PaymentCommandRefusedError', retryable: false },
  ]);
  await deliverAgain(stack, ReserveStock.type);
  await returnedByTheBroker(stack);
}

/**
 * A message no queue takes: an outbox row of order-service for a command no queue is bound to (a
 * producer's mistake). The broker returns it (published `mandatory`), the relay counts the failure and
 * keeps the row for a later attempt; the row is then removed, as an operator would.
 */
async function returnedByTheBroker(stack: TestStack): Promise<void> {
  const db = new Client({ connectionString: stack.databaseUrls.order });
  await db.connect();
  const id = `grafana-unroutable-${randomUUID()}`;
  try {
    await db.query(
      `INSERT INTO outbox (message_id, type, exchange, routing_key, mandatory, version, source, occurred_at,
                           correlation_id, body)
       VALUES ($1, $2, $3, $2, true, 1, '/orderly/grafana-checks', now(), $1, '{}')`,
      [id, 'inventory.no-such-command', Exchanges.inventoryCommands],
    );
    const returned = { reason: 'returned' };
    const orderService = stack.url(Services.order);
    await eventually(
      async () =>
        ((await sampleOf(orderService, 'orderly_outbox_publish_failures_total', returned)) ?? 0) >= 1 &&
        ((await sampleOf(orderService, 'orderly_messaging_publish_failures_total', returned)) ?? 0) >= 1,
      'the unroutable row returned to the relay',
    );
  } finally {
    await db.query('DELETE FROM outbox WHERE message_id = $1', [id]);
    await db.end();
  }
}

/**
 * A handler failure that goes through the retry ladder: payment-service's database refuses the payment
 * row of this one customer (a CHECK constraint, as a database refusing writes for a while would), so
 * authorising fails and is retried; once the refusal is lifted, the retry succeeds.
 */
async function retriedThenConfirmed(
  stack: TestStack,
  request: {
    customerId: string;
    currency: string;
    lines: Array<{ sku: string; quantity: number; unitPriceMinor: number }>;
  },
): Promise<string> {
  const db = new Client({ connectionString: stack.databaseUrls.payment });
  await db.connect();
  try {
    await db.query(
      `ALTER TABLE payment ADD CONSTRAINT grafana_checks_refused CHECK (customer_id <> '${request.customerId}') NOT VALID`,
    );
    const placed = await stack.orders.place(request, randomUUID());
    const retried = { queue: Queues.paymentCommands, message_type: AuthorisePayment.type };
    await eventually(
      async () =>
        ((await sampleOf(stack.url(Services.payment), 'orderly_messaging_retried_total', retried)) ?? 0) >= 1,
      'AuthorisePayment retried',
    );
    await db.query('ALTER TABLE payment DROP CONSTRAINT grafana_checks_refused');
    return (await stack.orders.waitUntilSettled(placed.id, { timeoutMs: SETTLE_TIMEOUT_MS })).status;
  } finally {
    await db.query('ALTER TABLE payment DROP CONSTRAINT IF EXISTS grafana_checks_refused');
    await db.end();
  }
}

/**
 * Published by hand to payment-service's commands, as an operator or a broken producer might: a body
 * that is not JSON, and a well-formed capture of an order nothing was authorised for (its handler
 * refuses it). Both must be parked in the queue's DLQ at once with their reason; resolves with the
 * reasons read from the dead letters (left in the DLQ, so its depth shows).
 */
async function parkPoisonMessages(
  stack: TestStack,
): Promise<Array<{ errorType: unknown; retryable: unknown }>> {
  const vhost = encodeURIComponent(stack.vhost.vhost);
  const publish = (type: string, payload: string) => {
    const id = `grafana-poison-${randomUUID()}`;
    return publishByHand(stack.vhost, {
      exchange: Exchanges.paymentCommands,
      routingKey: type,
      messageId: id,
      type,
      payload,
      headers: {
        'cloudEvents:specversion': '1.0',
        'cloudEvents:id': id,
        'cloudEvents:type': type,
        'cloudEvents:source': '/orderly/grafana-checks',
        'cloudEvents:time': new Date().toISOString(),
        'cloudEvents:schemaversion': 1,
        'correlation-id': id,
      },
    });
  };
  await publish(AuthorisePayment.type, '{"orderId": "not even closed');
  await publish(CapturePayment.type, JSON.stringify({ orderId: randomUUID() }));

  const dlq = `/queues/${vhost}/${encodeURIComponent(deadLetterQueueOf(Queues.paymentCommands))}`;
  await eventually(
    async () => (await stack.vhost.api<{ messages?: number }>('GET', dlq)).messages === 2,
    'both parked in the DLQ',
  );
  const letters = await stack.vhost.api<Array<{ properties: { headers?: Record<string, unknown> } }>>(
    'POST',
    `${dlq}/get`,
    { count: 2, ackmode: 'ack_requeue_true', encoding: 'auto' },
  );
  return letters
    .map(({ properties: { headers = {} } }) => ({
      errorType: headers[DeadLetterHeaders.errorType],
      retryable: headers[DeadLetterHeaders.retryable],
    }))
    .sort((a, b) => String(a.errorType).localeCompare(String(b.errorType)));
}

/**
 * The last message of `type` order-service's relay published, published again with the same id and
 * attributes (what a redelivery after a lost acknowledgement looks like): the receiver's inbox must
 * recognise it.
 */
async function deliverAgain(stack: TestStack, type: string): Promise<void> {
  const db = new Client({ connectionString: stack.databaseUrls.order });
  await db.connect();
  let sent: SentMessage | undefined;
  try {
    sent = await lastSentMessage(db, type);
  } finally {
    await db.end();
  }
  if (!sent) throw new Error(`order-service has sent no ${type} yet`);
  await publishByHand(stack.vhost, redeliveryOf(sent));
  await eventually(
    async () =>
      ((await sampleOf(stack.url(Services.inventory), 'orderly_inbox_duplicates_total', {})) ?? 0) >= 1,
    `the duplicate ${type} recognised by inventory-service's inbox`,
  );
}

/** The sum of a metric's series on a service's /metrics whose labels include `labels`. */
async function sampleOf(
  base: string,
  name: string,
  labels: Record<string, string>,
): Promise<number | undefined> {
  const text = await (await fetch(`${base}/metrics`)).text();
  let total: number | undefined;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/([a-zA-Z_]+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([key, value]) => present[key] === value))
      total = (total ?? 0) + Number(match[3]);
  }
  return total;
}

async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
      last = 'no result';
    } catch (error) {
      // An invalid query will not become valid: fail at once with Prometheus' message.
      if (/parse error|bad_data|invalid/i.test((error as Error).message)) throw error;
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(
    `no ${what} within ${timeoutMs} ms (last: ${last instanceof Error ? last.message : String(last)})`,
  );
}
