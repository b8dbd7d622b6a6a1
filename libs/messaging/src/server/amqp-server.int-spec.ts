import { Controller, type INestApplication } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { deadLetterQueueOf, type MessageOf } from '@orderly/contracts';
import { AmqpClient } from '../client/amqp-client';
import { DeadLetterHeaders } from '../consumer/dead-letter-parker';
import { MessageContext } from '../consumer/message-context';
import { encodeMessage } from '../envelope/cloud-events-binding';
import { NonRetryableMessageError } from '../errors/non-retryable-message.error';
import { Handles } from '../nest/handles.decorator';
import { connectionNameOf, gate, Received, startTestService, TestBroker, waitFor } from '../test-support/messaging-test-bed';
import {
  parcel,
  ParcelShipped,
  ShipParcel,
  source,
  TestQueues,
  TestRetry,
  TestServices,
  TestTopology,
  WeighParcel,
} from '../test-support/test-topology';

/** What the shipping service's handlers do, per test. */
const behaviour = {
  shipParcel: async (command: ShipParcel): Promise<void> => void command,
};

@Controller()
class ShippingHandlers {
  static readonly received = new Received();

  @Handles(ShipParcel)
  async ship(@Payload() command: ShipParcel, @Ctx() ctx: MessageContext): Promise<void> {
    await behaviour.shipParcel(command);
    ShippingHandlers.received.record(command, ctx);
  }

  @Handles(WeighParcel)
  async weigh(@Payload() command: MessageOf<typeof WeighParcel>, @Ctx() ctx: MessageContext): Promise<void> {
    ShippingHandlers.received.record(command, ctx);
  }

  @Handles(ParcelShipped)
  async shipped(@Payload() event: ParcelShipped, @Ctx() ctx: MessageContext): Promise<void> {
    ShippingHandlers.received.record(event, ctx);
  }
}

@Controller()
class BillingHandlers {
  static readonly received = new Received();

  @Handles(ParcelShipped)
  async shipped(@Payload() event: ParcelShipped, @Ctx() ctx: MessageContext): Promise<void> {
    BillingHandlers.received.record(event, ctx);
  }
}

describe('AmqpServer', () => {
  let broker: TestBroker;
  let shipping: INestApplication;
  let billing: INestApplication;

  beforeAll(async () => {
    broker = await TestBroker.create('messaging-server');
    await broker.provision(TestTopology);
    [shipping, billing] = await Promise.all([
      startTestService({ broker, service: TestServices.shipping, topology: TestTopology, controllers: [ShippingHandlers] }),
      startTestService({ broker, service: TestServices.billing, topology: TestTopology, controllers: [BillingHandlers] }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([shipping?.close(), billing?.close()]);
    await broker?.dispose();
  });

  beforeEach(async () => {
    ShippingHandlers.received.messages.length = 0;
    BillingHandlers.received.messages.length = 0;
    behaviour.shipParcel = async () => undefined;
    for (const queue of Object.values(TestQueues)) {
      await broker.takeAll(queue);
      await broker.takeAll(deadLetterQueueOf(queue));
    }
  });

  it('delivers an event to every queue bound to it, and a command to exactly its queue', async () => {
    const client = shipping.get(AmqpClient);
    const event = ParcelShipped.create(parcel(1), source);
    const command = ShipParcel.create(parcel(2), source);
    await client.publish(ParcelShipped, event);
    await client.publish(ShipParcel, command);

    await ShippingHandlers.received.waitForCount(2);
    await BillingHandlers.received.waitForCount(1);
    expect(ShippingHandlers.received.messages.map((m) => [m.message.id, m.queue]).sort()).toEqual(
      [
        [event.id, TestQueues.shippingEvents],
        [command.id, TestQueues.shippingCommands],
      ].sort(),
    );
    expect(BillingHandlers.received.messages.map((m) => [m.message.id, m.queue])).toEqual([[event.id, TestQueues.billingEvents]]);
    // The audit service is not running: its copy of the event waits in its queue, and only the event.
    const audit = await broker.takeAll(TestQueues.auditEvents);
    expect(audit.map((m) => m.properties.messageId)).toEqual([event.id]);
    // The handler got the validated message, every CloudEvents attribute intact.
    expect(ShippingHandlers.received.messages.find((m) => m.message.id === command.id)?.message).toEqual(command);
    await waitFor(async () => (await broker.ready(TestQueues.shippingCommands)) === 0 && (await broker.ready(TestQueues.billingEvents)) === 0);
  });

  it('parks an invalid body, an unknown type and a delivery without required headers in the DLQ with the reason, and handles the messages after each', async () => {
    const valid = [1, 2, 3, 4].map((seq) => ShipParcel.create(parcel(seq), source));
    const send = async (message = valid[0], change: (e: ReturnType<typeof encodeMessage>) => void = () => undefined) => {
      const encoded = encodeMessage(message);
      change(encoded);
      await broker.sendToQueue(TestQueues.shippingCommands, encoded.content, encoded.options);
    };
    const invalidBody = ShipParcel.create(parcel(90), source);
    const unknownType = ShipParcel.create(parcel(91), source);
    const noHeaders = ShipParcel.create(parcel(92), source);

    await send(valid[0]);
    await send(invalidBody, (e) => (e.content = Buffer.from(JSON.stringify({ parcelId: '', seq: -1 }))));
    await send(valid[1]);
    await send(unknownType, (e) => {
      e.options.headers = { ...e.options.headers, 'cloudEvents:type': 'test.never-heard-of' };
      e.options.type = 'test.never-heard-of';
    });
    await send(valid[2]);
    await send(noHeaders, (e) => (e.options.headers = { 'x-custom': 'kept' }));
    await send(valid[3]);

    await ShippingHandlers.received.waitForCount(4);
    const dlq = deadLetterQueueOf(TestQueues.shippingCommands);
    await waitFor(async () => (await broker.ready(dlq)) === 3, { what: `3 dead letters in ${dlq}` });
    expect(ShippingHandlers.received.ids()).toEqual(valid.map((m) => m.id));

    const parked = await broker.takeAll(dlq);
    const byId = new Map(parked.map((m) => [m.properties.messageId as string, m]));
    expect([...byId.keys()].sort()).toEqual([invalidBody.id, unknownType.id, noHeaders.id].sort());
    for (const letter of parked) {
      expect(letter.properties.headers).toMatchObject({
        [DeadLetterHeaders.errorType]: 'InvalidMessageError',
        [DeadLetterHeaders.retryable]: false,
        [DeadLetterHeaders.consumer]: TestServices.shipping,
        [DeadLetterHeaders.originalExchange]: '',
        [DeadLetterHeaders.originalRoutingKey]: TestQueues.shippingCommands,
      });
      expect(Date.parse(String(letter.properties.headers?.[DeadLetterHeaders.failedAt]))).not.toBeNaN();
    }
    const reason = (id: string) => String(byId.get(id)?.properties.headers?.[DeadLetterHeaders.errorMessage]);
    expect(reason(invalidBody.id)).toMatch(/^body of test.ship-parcel breaks its schema: parcelId: .*; seq: /);
    expect(reason(unknownType.id)).toBe('unknown message type "test.never-heard-of"');
    expect(reason(noHeaders.id)).toMatch(/^missing required attributes: cloudEvents:source, cloudEvents:time, cloudEvents:specversion$/);
    // The original body and headers travel with the dead letter.
    expect(JSON.parse(byId.get(invalidBody.id)?.content.toString() ?? '')).toEqual({ parcelId: '', seq: -1 });
    expect(byId.get(noHeaders.id)?.properties.headers?.['x-custom']).toBe('kept');
    expect(await broker.ready(TestQueues.shippingCommands)).toBe(0);
  });

  it('parks a non-retryable failure at once, and a retryable one after its last attempt, with the error and whether a retry could help', async () => {
    const doomed = ShipParcel.create(parcel(1), source);
    const flaky = ShipParcel.create(parcel(2), source);
    const fine = ShipParcel.create(parcel(3), source);
    behaviour.shipParcel = async (command) => {
      if (command.id === doomed.id) throw new NonRetryableMessageError(`parcel ${command.data.parcelId} was never registered`);
      if (command.id === flaky.id) throw new Error('carrier API timed out');
    };
    // TestTopology's ladder: 3 attempts, 100 and 200 ms apart.
    const client = shipping.get(AmqpClient);
    for (const message of [doomed, flaky, fine]) await client.publish(ShipParcel, message);

    await ShippingHandlers.received.waitForCount(1);
    const dlq = deadLetterQueueOf(TestQueues.shippingCommands);
    await waitFor(async () => (await broker.ready(dlq)) === 2, { what: `2 dead letters in ${dlq}` });
    expect(ShippingHandlers.received.ids()).toEqual([fine.id]);
    const parked = new Map((await broker.takeAll(dlq)).map((m) => [m.properties.messageId, m.properties.headers]));
    expect(parked.get(doomed.id)).toMatchObject({
      [DeadLetterHeaders.errorType]: 'NonRetryableMessageError',
      [DeadLetterHeaders.errorCode]: 'MESSAGING.NON_RETRYABLE',
      [DeadLetterHeaders.errorMessage]: 'parcel parcel-1 was never registered',
      [DeadLetterHeaders.retryable]: false,
      [DeadLetterHeaders.originalExchange]: ShipParcel.exchange,
      [DeadLetterHeaders.originalRoutingKey]: ShipParcel.type,
      [DeadLetterHeaders.attempts]: 1,
    });
    expect(parked.get(flaky.id)).toMatchObject({
      [DeadLetterHeaders.errorType]: 'Error',
      [DeadLetterHeaders.errorMessage]: 'carrier API timed out',
      [DeadLetterHeaders.retryable]: true,
      [DeadLetterHeaders.attempts]: TestRetry.maxAttempts,
      // The first publish, not the retry exchange it last came back through.
      [DeadLetterHeaders.originalExchange]: ShipParcel.exchange,
      [DeadLetterHeaders.originalRoutingKey]: ShipParcel.type,
    });
    expect(await broker.ready(TestQueues.shippingCommands)).toBe(0);
  });

  it('falls back to the queue’s own dead-lettering when the dead letter cannot be published', async () => {
    // Headers close to AMQP's 64 KiB table limit leave no room for the reason: the park publish fails,
    // and the delivery is rejected so the broker's dead-lettering (at-least-once) moves it instead.
    const bloated = ShipParcel.create(parcel(1), source);
    const encoded = encodeMessage(bloated);
    encoded.options.headers = { ...encoded.options.headers, 'x-bloat': 'b'.repeat(64 * 1024 - 600) };
    encoded.content = Buffer.from('{"not":"a parcel"}');
    await broker.sendToQueue(TestQueues.shippingCommands, encoded.content, encoded.options);
    const next = ShipParcel.create(parcel(2), source);
    await shipping.get(AmqpClient).publish(ShipParcel, next);

    await ShippingHandlers.received.waitForCount(1);
    expect(ShippingHandlers.received.ids()).toEqual([next.id]);
    const dlq = deadLetterQueueOf(TestQueues.shippingCommands);
    await waitFor(async () => (await broker.ready(dlq)) === 1, { what: `the rejected message in ${dlq}` });
    const [letter] = await broker.takeAll(dlq);
    expect(letter.properties.messageId).toBe(bloated.id);
    expect(letter.properties.headers?.['x-death']).toEqual([
      expect.objectContaining({ queue: TestQueues.shippingCommands, reason: 'rejected' }),
    ]);
    expect(letter.properties.headers?.[DeadLetterHeaders.errorType]).toBeUndefined();
    expect(await broker.ready(TestQueues.shippingCommands)).toBe(0);
  });

  it('acknowledges only after the handler resolved, and only on the channel the delivery came on', async () => {
    const first = gate();
    const second = gate();
    const command = ShipParcel.create(parcel(1), source);
    let started = 0;
    behaviour.shipParcel = async (message) => {
      if (message.id !== command.id) return;
      started++;
      await (started === 1 ? first.promise : second.promise);
    };
    const client = shipping.get(AmqpClient);
    await client.publish(ShipParcel, command);
    await waitFor(() => started === 1, { what: 'the first handling to start' });

    // The connection dies while the handler runs: no ack was sent, so the broker redelivers.
    await broker.closeConnectionsNamed(connectionNameOf(shipping));
    await waitFor(() => started === 2, { what: 'the redelivery to reach the handler' });
    // The first handling now ends. Its delivery tag also exists on the new channel (the redelivery's):
    // acking it there would ack the wrong delivery, and the redelivery's own ack would then close the
    // channel with 406. It must not be sent at all.
    first.open();
    second.open();

    await ShippingHandlers.received.waitForCount(2);
    const next = ShipParcel.create(parcel(2), source);
    await client.publish(ShipParcel, next);
    await ShippingHandlers.received.waitForCount(3);
    expect(ShippingHandlers.received.messages.map((m) => [m.message.id, m.redelivered])).toEqual([
      [command.id, false],
      [command.id, true],
      [next.id, false],
    ]);
    await waitFor(async () => (await broker.ready(TestQueues.shippingCommands)) === 0);
    await waitFor(async () => (await broker.depthFromManagementApi(TestQueues.shippingCommands))?.messages === 0, {
      what: 'no message left in the queue, acknowledged or not (management API)',
    });
  });
});
