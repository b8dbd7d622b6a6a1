import { Controller, type INestApplication } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { deadLetterQueueOf } from '@orderly/contracts';
import { metricsRegistry } from '@orderly/observability';
import { AmqpClient } from '../client/amqp-client';
import { NonRetryableMessageError } from '../errors/non-retryable-message.error';
import { PublishRejectedError } from '../errors/publish-rejected.error';
import { Handles } from '../nest/handles.decorator';
import { startTestService, TestBroker, waitFor } from '../test-support/messaging-test-bed';
import { LoseParcel, parcel, ShipParcel, source, TestQueues, TestServices, TestTopology } from '../test-support/test-topology';

/** Parcels whose first handling fails with a passing fault (the retry ladder brings them back). */
const flaky = new Set<string>();

/** Ships even parcels; an odd one cannot be shipped at all (parked at once, whatever the retry policy). */
@Controller()
class ShippingHandlers {
  @Handles(ShipParcel)
  async ship(@Payload() command: ShipParcel): Promise<void> {
    if (flaky.delete(command.data.parcelId)) throw new Error(`scale for parcel ${command.data.parcelId} not answering`);
    if (command.data.seq % 2 === 1) throw new NonRetryableMessageError(`parcel ${command.data.parcelId} has no address`);
  }
}

/** The value of one series in the registry's Prometheus text, or undefined when it does not exist. */
async function sample(name: string, labels: Record<string, string>): Promise<number | undefined> {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of (await metricsRegistry.metrics()).split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const labelText = line.slice(name.length + 1, line.lastIndexOf('}'));
    const present = labelText.split(',');
    if (wanted.every((pair) => present.includes(pair)) && present.length === wanted.length) {
      return Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return undefined;
}

describe('Messaging metrics (the default hooks)', () => {
  let broker: TestBroker;
  let app: INestApplication;
  const queue = TestQueues.shippingCommands;
  const delivery = { queue, message_type: ShipParcel.type };

  beforeAll(async () => {
    broker = await TestBroker.create('messaging-metrics');
    await broker.provision(TestTopology);
    app = await startTestService({ broker, service: TestServices.shipping, topology: TestTopology, controllers: [ShippingHandlers] });
  });

  afterAll(async () => {
    await app?.close();
    await broker?.dispose();
  });

  it('counts handled and failed deliveries per queue, type and error, with handler durations and publishes', async () => {
    const client = app.get(AmqpClient);
    for (const seq of [0, 1, 2]) await client.publish(ShipParcel, ShipParcel.create(parcel(seq), source));
    await waitFor(async () => (await sample('orderly_messaging_consumed_total', delivery)) === 3, {
      what: 'three deliveries counted as consumed',
    });
    await waitFor(async () => (await broker.ready(deadLetterQueueOf(queue))) === 1, { what: 'the odd parcel parked' });

    expect(await sample('orderly_messaging_failed_total', { ...delivery, error_type: 'NonRetryableMessageError' })).toBe(1);
    expect(await sample('orderly_messaging_handler_duration_seconds_count', { ...delivery, outcome: 'success' })).toBe(2);
    expect(await sample('orderly_messaging_handler_duration_seconds_count', { ...delivery, outcome: 'failure' })).toBe(1);
    expect(await sample('orderly_messaging_published_total', { exchange: ShipParcel.exchange, message_type: ShipParcel.type })).toBe(3);
    await waitFor(async () => (await sample('orderly_messaging_dead_lettered_total', { ...delivery, reason: 'non_retryable' })) === 1, {
      what: 'the parked parcel counted as dead-lettered',
    });
  });

  it('counts a failed attempt sent up the retry ladder, and its successful retry', async () => {
    const before = (await sample('orderly_messaging_consumed_total', delivery)) ?? 0;
    flaky.add(parcel(4).parcelId);
    await app.get(AmqpClient).publish(ShipParcel, ShipParcel.create(parcel(4), source));
    await waitFor(async () => (await sample('orderly_messaging_consumed_total', delivery)) === before + 2, {
      what: 'the failed attempt and its retry counted',
    });

    expect(await sample('orderly_messaging_retried_total', delivery)).toBe(1);
    expect(await sample('orderly_messaging_failed_total', { ...delivery, error_type: 'Error' })).toBe(1);
    expect(await sample('orderly_messaging_handler_duration_seconds_count', { ...delivery, outcome: 'success' })).toBe(3);
  });

  it('counts a publish the broker returned, by reason', async () => {
    const lost = LoseParcel.create(parcel(9), source);
    await expect(app.get(AmqpClient).publish(LoseParcel, lost)).rejects.toBeInstanceOf(PublishRejectedError);

    const labels = { exchange: LoseParcel.exchange, message_type: LoseParcel.type };
    expect(await sample('orderly_messaging_publish_failures_total', { ...labels, reason: 'returned' })).toBe(1);
    expect(await sample('orderly_messaging_published_total', labels)).toBeUndefined();
  });
});
