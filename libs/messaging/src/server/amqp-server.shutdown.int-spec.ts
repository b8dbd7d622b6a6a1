import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { AmqpClient } from '../client/amqp-client';
import { MessageContext } from '../consumer/message-context';
import { Handles } from '../nest/handles.decorator';
import { gate, Received, startTestService, TestBroker, waitFor } from '../test-support/messaging-test-bed';
import { parcel, ShipParcel, source, TestQueues, TestServices, TestTopology } from '../test-support/test-topology';

const handling = { started: 0, work: async (): Promise<void> => undefined };

@Controller()
class ShippingHandlers {
  static readonly received = new Received();

  @Handles(ShipParcel)
  async ship(@Payload() command: ShipParcel, @Ctx() ctx: MessageContext): Promise<void> {
    handling.started++;
    await handling.work();
    ShippingHandlers.received.record(command, ctx);
  }
}

describe('AmqpServer graceful shutdown', () => {
  let broker: TestBroker;

  const start = (options: { prefetch?: number; shutdownTimeoutMs?: number } = {}) =>
    startTestService({ broker, service: TestServices.shipping, topology: TestTopology, controllers: [ShippingHandlers], ...options });
  const publisher = () => startTestService({ broker, service: TestServices.shipping, topology: TestTopology, consume: false });

  beforeAll(async () => {
    broker = await TestBroker.create('messaging-shutdown');
    await broker.provision(TestTopology);
  });

  afterAll(async () => {
    await broker?.dispose();
  });

  beforeEach(() => {
    ShippingHandlers.received.messages.length = 0;
    handling.started = 0;
    handling.work = async () => undefined;
  });

  it('lets running handlers finish and acks each once: nothing is left in the queue or delivered again', async () => {
    const pub = await publisher();
    const app = await start({ prefetch: 5 });
    const released = gate();
    handling.work = () => released.promise;
    const messages = Array.from({ length: 5 }, (_, i) => ShipParcel.create(parcel(i), source));
    for (const message of messages) await pub.get(AmqpClient).publish(ShipParcel, message);
    await waitFor(() => handling.started === 5, { what: '5 handlers running' });

    const closing = app.close();
    setTimeout(released.open, 300); // the handlers finish while the app is closing
    await closing;

    expect(ShippingHandlers.received.ids().sort()).toEqual(messages.map((m) => m.id).sort());
    expect(await broker.ready(TestQueues.shippingCommands)).toBe(0); // all acked: none went back to the queue

    // A new instance gets only what is published next: no redelivery of the five.
    const next = await start();
    const marker = ShipParcel.create(parcel(99), source);
    await pub.get(AmqpClient).publish(ShipParcel, marker);
    await ShippingHandlers.received.waitForCount(6);
    expect(ShippingHandlers.received.ids().slice(5)).toEqual([marker.id]);
    await Promise.all([next.close(), pub.close()]);
    expect(await broker.ready(TestQueues.shippingCommands)).toBe(0);
  });

  it('leaves undelivered messages in the queue for the next instance, and none is handled twice', async () => {
    const pub = await publisher();
    const first = await start({ prefetch: 3 });
    handling.work = () => new Promise((resolve) => setTimeout(resolve, 20));
    const messages = Array.from({ length: 40 }, (_, i) => ShipParcel.create(parcel(i), source));
    for (const message of messages) await pub.get(AmqpClient).publish(ShipParcel, message);
    await ShippingHandlers.received.waitForCount(5);
    await first.close();
    const handledByFirst = ShippingHandlers.received.messages.length;
    expect(handledByFirst).toBeLessThan(40);
    // Acks and the channel close reach the quorum queue asynchronously: wait for its count to settle.
    await waitFor(async () => (await broker.ready(TestQueues.shippingCommands)) === 40 - handledByFirst, {
      what: `the ${40 - handledByFirst} undelivered messages ready in the queue`,
    });

    const second = await start({ prefetch: 3 });
    await ShippingHandlers.received.waitForCount(40);
    await Promise.all([second.close(), pub.close()]);
    const counts = ShippingHandlers.received.counts();
    expect([...counts.keys()].sort()).toEqual(messages.map((m) => m.id).sort());
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    // (Not asserted: that none arrives flagged `redelivered`. A quorum queue may have sent a message to
    // the first instance's channel process around the cancel, which returns it without the client ever
    // seeing it; the broker then flags it redelivered although no handler ran. Seen once in ~20 runs.)
    expect(await broker.ready(TestQueues.shippingCommands)).toBe(0);
  });

  it('gives up on a handler that outlives the deadline without acking it, so the broker redelivers its message', async () => {
    const pub = await publisher();
    const app = await start({ shutdownTimeoutMs: 300 });
    const stuck = gate();
    handling.work = () => stuck.promise;
    const message = ShipParcel.create(parcel(1), source);
    await pub.get(AmqpClient).publish(ShipParcel, message);
    await waitFor(() => handling.started === 1, { what: 'the handler to start' });

    const started = Date.now();
    await app.close();
    expect(Date.now() - started).toBeLessThan(3_000);
    // Back in the queue, not lost (the quorum queue returns it once it processed the channel close).
    await waitFor(async () => (await broker.ready(TestQueues.shippingCommands)) === 1, { what: 'the message back in the queue' });
    stuck.open(); // the late handler ends; its ack is refused (its channel is closed)

    handling.work = async () => undefined;
    const next = await start();
    await ShippingHandlers.received.waitForCount(2);
    expect(ShippingHandlers.received.messages.map((m) => [m.message.id, m.redelivered])).toEqual([
      [message.id, false], // the late handler, unacknowledged
      [message.id, true],
    ]);
    await Promise.all([next.close(), pub.close()]);
    expect(await broker.ready(TestQueues.shippingCommands)).toBe(0);
  });
});
