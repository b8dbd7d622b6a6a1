import { randomUUID } from 'node:crypto';
import { Controller, Inject, type INestApplication } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { Queues, ReserveStock, Services, StockReserved, Topology, type MessageOf } from '@orderly/contracts';
import { AmqpClient } from '../client/amqp-client';
import { MessageContext } from '../consumer/message-context';
import { Handles } from '../nest/handles.decorator';
import { Received, startTestService, TestBroker } from '../test-support/messaging-test-bed';

@Controller()
class InventoryHandlers {
  static readonly received = new Received();

  constructor(@Inject(AmqpClient) private readonly client: AmqpClient) {}

  @Handles(ReserveStock)
  async reserve(@Payload() command: MessageOf<typeof ReserveStock>, @Ctx() ctx: MessageContext): Promise<void> {
    InventoryHandlers.received.record(command, ctx);
    const reply = StockReserved.create(
      { orderId: command.data.orderId, reservationId: randomUUID() },
      { source: '/orderly/inventory-service', subject: command.data.orderId, correlationId: command.correlationId, causationId: command.id },
    );
    await this.client.publish(StockReserved, reply);
  }
}

@Controller()
class OrderHandlers {
  static readonly received = new Received();

  @Handles(StockReserved)
  async stockReserved(@Payload() reply: MessageOf<typeof StockReserved>, @Ctx() ctx: MessageContext): Promise<void> {
    OrderHandlers.received.record(reply, ctx);
  }
}

describe('AmqpServer with the real topology', () => {
  let broker: TestBroker;
  let order: INestApplication;
  let inventory: INestApplication;

  beforeAll(async () => {
    broker = await TestBroker.create('messaging-replies');
    await broker.provision(Topology); // what `npm run broker -- provision` declares
    [order, inventory] = await Promise.all([
      startTestService({ broker, service: Services.order, topology: Topology, controllers: [OrderHandlers] }),
      startTestService({ broker, service: Services.inventory, topology: Topology, controllers: [InventoryHandlers] }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([order?.close(), inventory?.close()]);
    await broker?.dispose();
  });

  it('round-trips a command and its reply between two services, with correlation and causation kept', async () => {
    const orderId = randomUUID();
    const command = ReserveStock.create(
      { orderId, lines: [{ sku: 'SKU-1', quantity: 2 }] },
      { source: '/orderly/order-service', subject: orderId, correlationId: orderId },
    );
    await order.get(AmqpClient).publish(ReserveStock, command);

    await OrderHandlers.received.waitForCount(1);
    expect(InventoryHandlers.received.messages.map((m) => [m.message.id, m.queue])).toEqual([[command.id, Queues.inventoryCommands]]);
    const [{ message: reply, queue }] = OrderHandlers.received.messages;
    expect(queue).toBe(Queues.orderSagaReplies);
    expect(reply).toMatchObject({
      type: StockReserved.type,
      source: '/orderly/inventory-service',
      subject: orderId,
      correlationId: orderId,
      causationId: command.id,
      data: { orderId },
    });
    expect(await broker.ready(Queues.inventoryCommands)).toBe(0);
    expect(await broker.ready(Queues.orderSagaReplies)).toBe(0);
  });
});
