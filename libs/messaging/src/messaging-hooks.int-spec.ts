import { AsyncLocalStorage } from 'node:async_hooks';
import { Controller, Global, type INestApplication, Module } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import type { Message } from '@orderly/contracts';
import { AmqpClient } from './client/amqp-client';
import { MessageContext } from './consumer/message-context';
import { MESSAGING_HOOKS, type MessagingHooks } from './messaging-hooks';
import { Handles } from './nest/handles.decorator';
import { Received, startTestService, TestBroker, waitFor } from './test-support/messaging-test-bed';
import { parcel, ShipParcel, source, TestServices, TestTopology } from './test-support/test-topology';

/** Stands in for the OpenTelemetry wiring: a "span" per consumed message, visible inside the handler. */
const currentSpan = new AsyncLocalStorage<string>();
const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
/** Publishing and consuming run concurrently (the confirm may arrive after the delivery): one list each. */
const publishCalls: string[] = [];
const consumeCalls: string[] = [];

const hooks: MessagingHooks = {
  async aroundPublish(message, target, publish) {
    publishCalls.push(`around publish ${message.type} to ${target.exchange} ${target.routingKey}`);
    const result = await publish();
    publishCalls.push(`confirmed ${message.type}`);
    return result;
  },
  beforePublish(message, target) {
    publishCalls.push(`publish ${message.type} to ${target.exchange}`);
    message.traceparent ??= traceparent;
  },
  async aroundConsume(message, delivery, handle) {
    const { queue, exchange, routingKey, redelivered } = delivery;
    consumeCalls.push(`consume ${message.type} from ${queue} (${exchange} ${routingKey}, redelivered: ${redelivered})`);
    const outcome = await currentSpan.run(`process ${queue} ${message.traceparent}`, handle);
    consumeCalls.push(`handled ${message.type}: ${outcome.error === undefined ? 'acknowledged' : String(outcome.error)}`);
    return outcome;
  },
};

@Global()
@Module({ providers: [{ provide: MESSAGING_HOOKS, useValue: hooks }], exports: [MESSAGING_HOOKS] })
class TracingModule {}

@Controller()
class ShippingHandlers {
  static readonly received = new Received();
  static readonly spans: Array<string | undefined> = [];

  @Handles(ShipParcel)
  async ship(@Payload() command: Message, @Ctx() ctx: MessageContext): Promise<void> {
    ShippingHandlers.spans.push(currentSpan.getStore());
    ShippingHandlers.received.record(command, ctx);
  }
}

describe('MessagingHooks', () => {
  let broker: TestBroker;
  let app: INestApplication;

  beforeAll(async () => {
    broker = await TestBroker.create('messaging-hooks');
    await broker.provision(TestTopology);
    app = await startTestService({
      broker,
      service: TestServices.shipping,
      topology: TestTopology,
      controllers: [ShippingHandlers],
      imports: [TracingModule],
    });
  });

  afterAll(async () => {
    await app?.close();
    await broker?.dispose();
  });

  it('wraps each publish until its confirm, injects trace context, and wraps the handling of each delivery with where it came from', async () => {
    const command = ShipParcel.create(parcel(1), source);
    await app.get(AmqpClient).publish(ShipParcel, command);
    await ShippingHandlers.received.waitForCount(1);
    await waitFor(() => consumeCalls.length === 2, { what: 'the handling hook to finish' });

    expect(ShippingHandlers.received.messages[0].message.traceparent).toBe(traceparent);
    expect(ShippingHandlers.spans).toEqual([`process shipping-service.commands ${traceparent}`]);
    expect(publishCalls).toEqual([
      'around publish test.ship-parcel to test.commands test.ship-parcel',
      'publish test.ship-parcel to test.commands',
      'confirmed test.ship-parcel',
    ]);
    expect(consumeCalls).toEqual([
      'consume test.ship-parcel from shipping-service.commands (test.commands test.ship-parcel, redelivered: false)',
      'handled test.ship-parcel: acknowledged',
    ]);
  });
});
