import { messagingMetricsRecorder } from './messaging-metrics';
import { metricsRegistry } from './metrics-registry';
import { DeadLetterReasons, PublishFailureReasons, SagaOutcomes } from './orderly-metrics';
import { outboxMetricsRecorder } from './outbox-metrics';
import { sagaMetricsRecorder } from './saga-metrics';

/** Every series of one metric as `label=value,…` → value (labels sorted). */
async function series(name: string): Promise<Map<string, number>> {
  const metric = metricsRegistry.getSingleMetric(name);
  if (!metric) return new Map();
  const { values } = await metric.get();
  return new Map(
    values.map((v) => [
      Object.entries(v.labels)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, value]) => `${key}=${value}`)
        .join(','),
      v.value,
    ]),
  );
}

describe('failure series that start at 0 for their known label values', () => {
  beforeEach(() => metricsRegistry.resetMetrics());

  it('creates retried and each dead-letter reason at 0 on the first delivery of a queue and type', async () => {
    const messaging = messagingMetricsRecorder();
    const delivery = { queue: 'payment-service.commands', messageType: 'payment.capture' };
    messaging.handled(delivery, 0.01);
    messaging.handled(delivery, 0.01);

    const labels = 'message_type=payment.capture,queue=payment-service.commands';
    expect(await series('orderly_messaging_retried_total')).toEqual(new Map([[labels, 0]]));
    expect(await series('orderly_messaging_dead_lettered_total')).toEqual(
      new Map(DeadLetterReasons.map((reason) => [`${labels},reason=${reason}`, 0])),
    );
    // error_type is unknown until a handler fails: no failure series before that.
    expect(await series('orderly_messaging_failed_total')).toEqual(new Map());
  });

  it('counts on top of the zeros: the first failure of a kind is an increase from 0', async () => {
    const messaging = messagingMetricsRecorder();
    const delivery = { queue: 'inventory-service.commands', messageType: 'unknown' };
    messaging.deadLettered(delivery, 'non_retryable');

    const labels = 'message_type=unknown,queue=inventory-service.commands';
    expect(await series('orderly_messaging_dead_lettered_total')).toEqual(
      new Map([
        [`${labels},reason=non_retryable`, 1],
        [`${labels},reason=retries_exhausted`, 0],
      ]),
    );
    expect(await series('orderly_messaging_retried_total')).toEqual(new Map([[labels, 0]]));
  });

  it('creates each publish-failure reason at 0 on the first publish to an exchange of a type', async () => {
    const messaging = messagingMetricsRecorder();
    messaging.published({ exchange: 'order.events', messageType: 'order.confirmed' });
    messaging.publishFailed({ exchange: 'order.events', messageType: 'order.confirmed' }, 'returned');

    const labels = 'exchange=order.events,message_type=order.confirmed';
    expect(await series('orderly_messaging_publish_failures_total')).toEqual(
      new Map(
        PublishFailureReasons.map((reason) => [`${labels},reason=${reason}`, reason === 'returned' ? 1 : 0]),
      ),
    );
  });

  it("creates the outbox relay's publish failures at 0 for every reason when its recorder is made", async () => {
    outboxMetricsRecorder();
    expect(await series('orderly_outbox_publish_failures_total')).toEqual(
      new Map(PublishFailureReasons.map((reason) => [`reason=${reason}`, 0])),
    );
  });

  it("creates a saga's completed series at 0 for every outcome when the first one starts", async () => {
    const saga = sagaMetricsRecorder();
    saga.started('place-order');
    saga.started('place-order');
    saga.completed('place-order', 'completed', 0.4);

    expect(await series('orderly_saga_started_total')).toEqual(new Map([['saga=place-order', 2]]));
    expect(await series('orderly_saga_completed_total')).toEqual(
      new Map(
        SagaOutcomes.map((outcome) => [
          `outcome=${outcome},saga=place-order`,
          outcome === 'completed' ? 1 : 0,
        ]),
      ),
    );
  });
});
