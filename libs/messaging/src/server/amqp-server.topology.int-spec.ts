import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import {
  deadLetterExchangeOf,
  deadLetterQueueOf,
  type Message,
  retryExchangeOf,
  retryQueueOf,
  retryTierArguments,
  workQueueArguments,
} from '@orderly/contracts';
import { AmqpClient } from '../client/amqp-client';
import { MessageContext } from '../consumer/message-context';
import { TopologyAssertionError } from '../errors/topology-assertion.error';
import { Handles } from '../nest/handles.decorator';
import { Received, startTestService, TestBroker, waitFor } from '../test-support/messaging-test-bed';
import {
  LoseParcel,
  parcel,
  ParcelShipped,
  ShipParcel,
  source,
  TestExchanges,
  TestQueues,
  TestRetry,
  TestServices,
  TestTopology,
} from '../test-support/test-topology';
import { AmqpServer } from './amqp-server';

@Controller()
class ShippingHandlers {
  static readonly received = new Received();

  @Handles(ShipParcel)
  async ship(@Payload() command: ShipParcel, @Ctx() ctx: MessageContext): Promise<void> {
    ShippingHandlers.received.record(command, ctx);
  }
}

@Controller()
class BillingHandlers {
  @Handles(ParcelShipped)
  async shipped(): Promise<void> {
    throw new Error('never started: its topology is incomplete');
  }
}

@Controller()
class MisroutedHandlers {
  @Handles(LoseParcel) // no queue of the shipping service is bound to it
  async lose(@Payload() message: Message): Promise<void> {
    throw new Error(`never started, so never handles ${message.id}`);
  }
}

interface QueueInfo {
  arguments: Record<string, unknown>;
  durable: boolean;
}

describe('AmqpServer topology', () => {
  let broker: TestBroker;
  const queueInfo = (queue: string) =>
    broker.vhost.api<QueueInfo>('GET', `/queues/${encodeURIComponent(broker.vhost.vhost)}/${encodeURIComponent(queue)}`);

  beforeEach(async () => {
    broker = await TestBroker.create('messaging-topology'); // each test starts from an empty vhost
    ShippingHandlers.received.messages.length = 0;
  });

  afterEach(async () => {
    await broker?.dispose();
  });

  it('declares its own exchanges, queues with their exact arguments, dead-letter queues and bindings', async () => {
    const app = await startTestService({ broker, service: TestServices.shipping, topology: TestTopology, controllers: [ShippingHandlers] });
    try {
      const commands = TestTopology.queues.find((q) => q.name === TestQueues.shippingCommands);
      expect(await queueInfo(TestQueues.shippingCommands)).toMatchObject({ durable: true, arguments: commands && workQueueArguments(commands) });
      expect(await queueInfo(deadLetterQueueOf(TestQueues.shippingCommands))).toMatchObject({
        durable: true,
        arguments: { 'x-queue-type': 'classic' },
      });
      const bindings = await broker.vhost.api<Array<{ source: string; destination: string; routing_key: string }>>(
        'GET',
        `/queues/${encodeURIComponent(broker.vhost.vhost)}/${encodeURIComponent(TestQueues.shippingCommands)}/bindings`,
      );
      expect(bindings.filter((b) => b.source !== '').map((b) => [b.source, b.routing_key]).sort()).toEqual([
        // The way back from its delay tiers.
        [retryExchangeOf(TestServices.shipping), TestQueues.shippingCommands],
        [TestExchanges.commands, 'test.ship-parcel'],
        [TestExchanges.commands, 'test.weigh-parcel'],
      ]);
      // Its delay tiers, with the TTL of each and dead-lettering back through the retry exchange.
      for (const delayMs of TestRetry.delaysMs) {
        expect(await queueInfo(retryQueueOf(TestQueues.shippingCommands, delayMs))).toMatchObject({
          durable: true,
          arguments: commands && retryTierArguments(commands, delayMs),
        });
      }
      // The queues of other services are theirs to declare.
      await expect(queueInfo(TestQueues.billingEvents)).rejects.toThrow(/404/);
      // And it consumes: a command published now is handled.
      const command = ShipParcel.create(parcel(1), source);
      await app.get(AmqpClient).publish(ShipParcel, command);
      await ShippingHandlers.received.waitForCount(1);
      expect(await broker.ready(deadLetterQueueOf(TestQueues.shippingCommands))).toBe(0);
    } finally {
      await app.close();
    }
  });

  it('refuses to start when an exchange of another service is missing, and says to provision the broker', async () => {
    const failure = await startTestService({
      broker,
      service: TestServices.billing,
      topology: TestTopology,
      controllers: [BillingHandlers],
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TopologyAssertionError);
    expect((failure as Error).message).toContain(
      'exchange "test.events" (owned by another service) does not exist: run `npm run broker -- provision`',
    );
    // It declared what it owns all the same, so a later start only lacks the other service's part.
    expect(await broker.ready(TestQueues.billingEvents)).toBe(0);
    expect(await broker.ready(deadLetterQueueOf(TestQueues.billingEvents))).toBe(0);
    await broker.vhost.api('GET', `/exchanges/${encodeURIComponent(broker.vhost.vhost)}/${deadLetterExchangeOf(TestServices.billing)}`);
  });

  it('refuses to start when its queue exists with other arguments than declared', async () => {
    await broker.vhost.api('PUT', `/queues/${encodeURIComponent(broker.vhost.vhost)}/${encodeURIComponent(TestQueues.shippingCommands)}`, {
      durable: true,
      arguments: { 'x-queue-type': 'classic' }, // no dead-lettering: a failure would be dropped
    });
    const failure = await startTestService({
      broker,
      service: TestServices.shipping,
      topology: TestTopology,
      controllers: [ShippingHandlers],
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TopologyAssertionError);
    expect((failure as Error).message).toMatch(
      /queue "shipping-service.commands" exists with other arguments than declared .*PRECONDITION_FAILED - inequivalent arg/,
    );
  });

  it('refuses to start when it handles a message none of its queues receives', async () => {
    await broker.provision(TestTopology);
    await expect(
      startTestService({ broker, service: TestServices.shipping, topology: TestTopology, controllers: [ShippingHandlers, MisroutedHandlers] }),
    ).rejects.toThrow(/handles test.lose-parcel \(from test.commands\), but none of its queues is bound to it/);
  });

  it('consumes again after its queue was deleted under it (the broker cancels the consumer)', async () => {
    const app = await startTestService({ broker, service: TestServices.shipping, topology: TestTopology, controllers: [ShippingHandlers] });
    try {
      await broker.vhost.api('DELETE', `/queues/${encodeURIComponent(broker.vhost.vhost)}/${encodeURIComponent(TestQueues.shippingCommands)}`);
      await waitFor(async () => (await broker.ready(TestQueues.shippingCommands).catch(() => undefined)) === 0, {
        what: 'the queue to be declared again',
      });
      await waitFor(() => app.get(AmqpServer).notReadyReason === undefined, { what: 'consuming again' });
      const command = ShipParcel.create(parcel(2), source);
      await app.get(AmqpClient).publish(ShipParcel, command);
      await ShippingHandlers.received.waitForCount(1);
      expect(ShippingHandlers.received.ids()).toEqual([command.id]);
    } finally {
      await app.close();
    }
  });
});
