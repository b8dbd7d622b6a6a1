import { randomBytes, randomUUID } from 'node:crypto';
import { Controller, type INestApplication, type Type } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import {
  AuthorisePayment,
  CapturePayment,
  CommitStock,
  type Message,
  type MessageContract,
  type MessageOf,
  OrderCancelled,
  OrderConfirmed,
  OrderRejected,
  PaymentAuthorised,
  PaymentCaptured,
  PaymentDeclined,
  PaymentVoided,
  ReleaseStock,
  ReserveStock,
  Services,
  StockCommitted,
  StockReleased,
  StockReserved,
  StockUnavailable,
  VoidPayment,
} from '@orderly/contracts';
import { AmqpClient, AmqpServer, Handles, MessagingModule } from '@orderly/messaging';

/**
 * Inventory, payment and notification as the order-service sees them, answering from a script instead
 * of a database: sku `SOLD-OUT…` is unavailable, sku `TWICE…` gets its StockReserved delivered twice
 * (same message id) plus a second answer (new id), customer `declined` is declined, `silent` and `hold`
 * get no answer to AuthorisePayment. Every command and event received is recorded, in order.
 */
export class FakeParticipants {
  readonly received: Message[] = [];
  private readonly apps: INestApplication[] = [];
  private client!: AmqpClient;

  static async start(amqpUrlFor: (service: string) => string): Promise<FakeParticipants> {
    const fake = new FakeParticipants();
    current = fake;
    for (const [service, controller] of [
      [Services.inventory, FakeInventory],
      [Services.payment, FakePayment],
      [Services.notification, FakeNotification],
    ] as const) {
      fake.apps.push(await startApp(service, amqpUrlFor(service), controller));
    }
    fake.client = fake.apps[0].get(AmqpClient);
    fake.paymentClient = fake.apps[1].get(AmqpClient);
    return fake;
  }

  paymentClient!: AmqpClient;

  /** Messages received for one order, as `type` strings in arrival order. */
  typesFor(orderId: string): string[] {
    return this.received
      .filter((m) => m.subject === orderId || (m.data as { orderId?: string }).orderId === orderId)
      .map((m) => m.type);
  }

  async answer<C extends MessageContract>(
    client: AmqpClient,
    contract: C,
    to: Message,
    data: object,
    id?: string,
  ): Promise<void> {
    const orderId = (to.data as { orderId: string }).orderId;
    const reply = contract.create(
      { orderId, ...data },
      {
        id,
        source: '/test/fake-participant',
        subject: orderId,
        correlationId: to.correlationId,
        causationId: to.id,
      },
    );
    await client.publish(contract, reply as MessageOf<C>);
  }

  inventory(): AmqpClient {
    return this.client;
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.apps.map((app) => app.close()));
  }
}

let current: FakeParticipants;

@Controller()
class FakeInventory {
  @Handles(ReserveStock)
  async reserve(
    @Payload() command: Message<{ orderId: string; lines: Array<{ sku: string }> }>,
  ): Promise<void> {
    current.received.push(command);
    const skus = command.data.lines.map((l) => l.sku);
    if (skus.some((s) => s.startsWith('SOLD-OUT'))) {
      await current.answer(current.inventory(), StockUnavailable, command, {
        missing: [{ sku: skus[0], requested: 1, available: 0 }],
      });
      return;
    }
    const id = randomUUID();
    await current.answer(current.inventory(), StockReserved, command, { reservationId: randomUUID() }, id);
    if (skus.some((s) => s.startsWith('TWICE'))) {
      await current.answer(current.inventory(), StockReserved, command, { reservationId: randomUUID() }, id); // redelivery
      await current.answer(current.inventory(), StockReserved, command, { reservationId: randomUUID() }); // answered again
    }
  }

  @Handles(ReleaseStock)
  async release(@Payload() command: Message): Promise<void> {
    current.received.push(command);
    await current.answer(current.inventory(), StockReleased, command, {});
  }

  @Handles(CommitStock)
  async commit(@Payload() command: Message): Promise<void> {
    current.received.push(command);
    await current.answer(current.inventory(), StockCommitted, command, {});
  }
}

@Controller()
class FakePayment {
  @Handles(AuthorisePayment)
  async authorise(
    @Payload() command: Message<{ customerId: string; amount: { amountMinor: number; currency: string } }>,
  ): Promise<void> {
    current.received.push(command);
    if (command.data.customerId === 'silent' || command.data.customerId === 'hold') return;
    if (command.data.customerId === 'declined') {
      await current.answer(current.paymentClient, PaymentDeclined, command, { reason: 'card declined' });
      return;
    }
    await current.answer(current.paymentClient, PaymentAuthorised, command, {
      authorisationId: randomUUID(),
      amount: command.data.amount,
    });
  }

  @Handles(VoidPayment)
  async void(@Payload() command: Message): Promise<void> {
    current.received.push(command);
    await current.answer(current.paymentClient, PaymentVoided, command, {});
  }

  @Handles(CapturePayment)
  async capture(@Payload() command: Message): Promise<void> {
    current.received.push(command);
    await current.answer(current.paymentClient, PaymentCaptured, command, {
      captureId: randomUUID(),
      amount: { amountMinor: 1, currency: 'EUR' },
    });
  }
}

@Controller()
class FakeNotification {
  @Handles(OrderConfirmed)
  async confirmed(@Payload() event: Message): Promise<void> {
    current.received.push(event);
  }

  @Handles(OrderRejected)
  async rejected(@Payload() event: Message): Promise<void> {
    current.received.push(event);
  }

  @Handles(OrderCancelled)
  async cancelled(@Payload() event: Message): Promise<void> {
    current.received.push(event);
  }
}

async function startApp(service: string, url: string, controller: Type): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      MessagingModule.forRoot({
        url,
        connectionName: `${service}#fake-${randomBytes(3).toString('hex')}`,
        service,
        reconnectSeconds: 1,
      }),
    ],
    controllers: [controller],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: ['error', 'warn'] });
  app.connectMicroservice({ strategy: app.get(AmqpServer) }, { inheritAppConfig: true });
  await app.startAllMicroservices();
  await app.init();
  return app;
}
