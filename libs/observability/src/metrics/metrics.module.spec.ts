import { Controller, Get, type INestApplication, NotFoundException, Param } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { messagingMetricsRecorder } from './messaging-metrics';
import { MetricsModule } from './metrics.module';
import { defineCounter, defineGauge } from './metrics-registry';
import { outboxMetricsRecorder } from './outbox-metrics';
import { sagaMetricsRecorder } from './saga-metrics';

@Controller('orders')
class OrdersController {
  @Get(':id')
  find(@Param('id') id: string) {
    if (id === 'missing') throw new NotFoundException(`order ${id} not found`);
    return { id };
  }
}

/** The value of one series in Prometheus text format, matched by its labels (in any order). */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-z_:]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/([a-z_]+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([key, value]) => present[key] === value)) return Number(match[3]);
  }
  return undefined;
}

describe('MetricsModule', () => {
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [MetricsModule.forRoot({ serviceName: 'metrics-test' })],
      controllers: [OrdersController],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
  });
  afterAll(() => app?.close());

  const scrape = async () => {
    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain;.*version=0\.0\.4/);
    return response.text();
  };

  it("records each request's duration by method, route pattern and status code, with the service name", async () => {
    await fetch(`${base}/orders/1`);
    await fetch(`${base}/orders/2`);
    await fetch(`${base}/orders/missing`);
    await fetch(`${base}/no/such/path`);
    const text = await scrape();

    const count = (route: string, status: string) =>
      sample(text, 'http_server_request_duration_seconds_count', {
        method: 'GET',
        route,
        status_code: status,
        service: 'metrics-test',
      });
    expect(count('/orders/:id', '200')).toBe(2);
    expect(count('/orders/:id', '404')).toBe(1);
    expect(count('unmatched', '404')).toBe(1);
    expect(text).not.toContain('route="/metrics"');
    expect(text).not.toContain('/orders/1');
  });

  it('serves the Node.js process metrics', async () => {
    const text = await scrape();
    expect(sample(text, 'process_cpu_user_seconds_total', { service: 'metrics-test' })).toBeGreaterThan(0);
    expect(text).toContain('nodejs_eventloop_lag_seconds');
    expect(text).toContain('nodejs_heap_size_used_bytes');
  });

  it('serves what the messaging, outbox and saga recorders record', async () => {
    const delivery = { queue: 'inventory-service.commands', messageType: 'inventory.reserve-stock' };
    const messaging = messagingMetricsRecorder();
    messaging.handled(delivery, 0.004);
    messaging.handled(delivery, 0.02, new TypeError('boom'));
    messaging.deadLettered(delivery, 'non_retryable');
    messaging.publishFailed(
      { exchange: 'inventory.events', messageType: 'inventory.stock-reserved' },
      'returned',
    );
    const outbox = outboxMetricsRecorder();
    outbox.backlog(12, 3.5);
    outbox.commitToConfirm(0.03);
    const saga = sagaMetricsRecorder();
    saga.started('place-order');
    saga.completed('place-order', 'compensated', 1.5);
    saga.inFlight('place-order', 4);
    const text = await scrape();

    const labels = { queue: delivery.queue, message_type: delivery.messageType };
    expect(sample(text, 'orderly_messaging_consumed_total', labels)).toBe(2);
    expect(sample(text, 'orderly_messaging_failed_total', { ...labels, error_type: 'TypeError' })).toBe(1);
    expect(
      sample(text, 'orderly_messaging_handler_duration_seconds_count', { ...labels, outcome: 'failure' }),
    ).toBe(1);
    expect(
      sample(text, 'orderly_messaging_dead_lettered_total', { ...labels, reason: 'non_retryable' }),
    ).toBe(1);
    expect(sample(text, 'orderly_messaging_publish_failures_total', { reason: 'returned' })).toBe(1);
    expect(sample(text, 'orderly_outbox_backlog_messages', {})).toBe(12);
    expect(sample(text, 'orderly_outbox_oldest_unsent_age_seconds', {})).toBe(3.5);
    expect(sample(text, 'orderly_outbox_commit_to_confirm_seconds_bucket', { le: '0.05' })).toBe(1);
    expect(
      sample(text, 'orderly_saga_completed_total', { saga: 'place-order', outcome: 'compensated' }),
    ).toBe(1);
    expect(sample(text, 'orderly_saga_in_flight', { saga: 'place-order' })).toBe(4);
  });

  it('gives the same instrument for the same definition, and refuses conflicting ones', () => {
    const definition = { name: 'orderly_test_things_total', help: 'Things', labelNames: ['kind'] as const };
    expect(defineCounter(definition)).toBe(defineCounter(definition));
    expect(() => defineCounter({ ...definition, labelNames: ['sort'] })).toThrow(
      /already registered with labels \[kind\]/,
    );
    expect(() => defineGauge(definition)).toThrow(/already registered as another type/);
    expect(() => defineCounter({ name: 'orderly_test_things', help: 'Things', labelNames: [] })).toThrow(
      /must end in _total/,
    );
  });
});
