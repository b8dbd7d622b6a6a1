import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Controller, Get, HttpException, type INestApplication, Param } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  MetricsModule,
  messagingMetricsRecorder,
  outboxMetricsRecorder,
  sagaMetricsRecorder,
} from '@orderly/observability';
// The checks run against the test run's real broker, like the libraries' integration tests.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createTestVhost, freePort, type TestVhost } from '@orderly/testing';
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

/** Serves a route pattern, and fails on demand so that 5xx series exist. */
@Controller('orders')
class OrdersController {
  @Get(':id')
  find(@Param('id') id: string) {
    if (id === 'broken') throw new HttpException('database unavailable', 503);
    return { id };
  }
}

/**
 * grafana/prometheus/prometheus.yml as it is, pointed at this run's servers: the broker's Prometheus
 * port, one service (this process; the other three targets are closed ports, so "down" has data too),
 * the real rule file, and a 1 s interval.
 */
function prometheusConfig(brokerTarget: string, serviceTargets: string[]): string {
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
  [
    'order-service:3001',
    'inventory-service:3002',
    'payment-service:3003',
    'notification-service:3004',
  ].forEach((target, i) => replace(target, serviceTargets[i]));
  return config;
}

describe('dashboard queries against Prometheus scraping a real broker and service', () => {
  let vhost: TestVhost;
  let app: INestApplication;
  let prometheus: PrometheusServer;

  beforeAll(async () => {
    vhost = await createTestVhost('grafana-checks');
    const overview = await vhost.api<{ listeners: Array<{ protocol: string; port: number }> }>(
      'GET',
      '/overview',
    );
    const prometheusPort = overview.listeners.find((l) => l.protocol === 'http/prometheus')?.port;
    if (!prometheusPort) throw new Error('the test broker has no rabbitmq_prometheus listener');
    await giveTheBrokerSomethingToShow(vhost);

    const moduleRef = await Test.createTestingModule({
      imports: [MetricsModule.forRoot({ serviceName: 'grafana-checks' })],
      controllers: [OrdersController],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    await recordEveryOrderlyMetric(base);

    const closed = await Promise.all([freePort(), freePort(), freePort()]);
    prometheus = await PrometheusServer.start(
      prometheusConfig(`127.0.0.1:${prometheusPort}`, [
        new URL(base).host,
        ...closed.map((port) => `127.0.0.1:${port}`),
      ]),
      await freePort(),
    );
    // Rates need two scrapes inside their window; wait for every job's targets to be scraped twice.
    await eventually(async () => {
      const scrapes = await prometheus.query('count by (job) (count_over_time(up[15s]) >= 2)');
      return scrapes.length === 3;
    }, 'every job scraped twice');
  }, 120_000);

  afterAll(async () => {
    await prometheus?.stop();
    await app?.close();
    await vhost?.dispose();
  });

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

/** Queues of each kind the dashboards tell apart (work, retry delay, DLQ), with messages in them. */
async function giveTheBrokerSomethingToShow(vhost: TestVhost): Promise<void> {
  const v = encodeURIComponent(vhost.vhost);
  for (const queue of ['grafana-checks.work', 'grafana-checks.work.retry.5s', 'grafana-checks.work.dlq']) {
    await vhost.api('PUT', `/queues/${v}/${encodeURIComponent(queue)}`, { durable: true, arguments: {} });
    await vhost.api('POST', `/exchanges/${v}/amq.default/publish`, {
      properties: {},
      routing_key: queue,
      payload: 'parked',
      payload_encoding: 'string',
    });
  }
}

/** Every Orderly metric with a value, as the libraries will record them, and some HTTP traffic. */
async function recordEveryOrderlyMetric(base: string): Promise<void> {
  for (const path of ['/orders/1', '/orders/2', '/orders/broken', '/no-such-route'])
    await fetch(`${base}${path}`);
  const delivery = { queue: 'inventory-service.commands', messageType: 'inventory.reserve-stock' };
  const publish = { exchange: 'inventory.events', messageType: 'inventory.stock-reserved' };
  const messaging = messagingMetricsRecorder();
  messaging.handled(delivery, 0.004);
  messaging.handled(delivery, 0.02, new TypeError('stock is not a number'));
  messaging.retried(delivery);
  messaging.deadLettered(delivery, 'retries_exhausted');
  messaging.published(publish);
  messaging.publishFailed(publish, 'returned');
  const outbox = outboxMetricsRecorder();
  outbox.published(3);
  outbox.commitToConfirm(0.012);
  outbox.publishFailed('timeout', 1);
  outbox.backlog(2, 0.5);
  outbox.inboxDuplicate('inventory-service.commands');
  const saga = sagaMetricsRecorder();
  saga.started('place-order');
  saga.stepFinished('place-order', 'reserve-stock', 'succeeded', 0.04);
  saga.completed('place-order', 'completed', 0.3);
  saga.completed('place-order', 'failed', 31);
  saga.inFlight('place-order', 1);
  saga.stuck('place-order', 0);
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
