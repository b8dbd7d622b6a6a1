import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { defineEvent } from '@orderly/contracts';
import { z } from 'zod';
import { PublishRejectedError } from '../errors/publish-rejected.error';
import { MessagingModule } from '../nest/messaging.module';
import { startTestService, TestBroker, unusedPort } from '../test-support/messaging-test-bed';
import { LoseParcel, parcel, ParcelShipped, ShipParcel, source, TestQueues, TestServices, TestTopology } from '../test-support/test-topology';
import { AmqpClient } from './amqp-client';

const NowhereHappened = defineEvent({ type: 'test.nowhere-happened', version: 1, exchange: 'test.no-such-exchange', schema: z.object({}) });

describe('AmqpClient', () => {
  let broker: TestBroker;
  let app: INestApplication;
  let client: AmqpClient;

  beforeAll(async () => {
    broker = await TestBroker.create('messaging-client');
    await broker.provision(TestTopology);
    app = await startTestService({ broker, service: TestServices.shipping, topology: TestTopology, consume: false });
    client = app.get(AmqpClient);
  });

  afterAll(async () => {
    await app?.close();
    await broker?.dispose();
  });

  it('resolves once the broker confirmed the message, which is then in every bound queue', async () => {
    const event = ParcelShipped.create(parcel(1), source);
    await client.publish(ParcelShipped, event);
    for (const queue of [TestQueues.shippingEvents, TestQueues.billingEvents, TestQueues.auditEvents]) {
      expect((await broker.takeAll(queue)).map((m) => m.properties.messageId)).toEqual([event.id]);
    }
  });

  it('rejects a publish to a missing exchange at once, and keeps publishing afterwards', async () => {
    const started = Date.now();
    const error = await client.publish(NowhereHappened, NowhereHappened.create({}, source)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PublishRejectedError);
    expect(error).toMatchObject({ reason: 'channel-error', exchange: 'test.no-such-exchange' });
    expect((error as Error).message).toMatch(/NOT_FOUND - no exchange 'test.no-such-exchange'/);
    expect(Date.now() - started).toBeLessThan(2_000);

    // The broker closed that channel; the next publish gets a fresh one.
    const command = ShipParcel.create(parcel(2), source);
    await client.publish(ShipParcel, command);
    expect((await broker.takeAll(TestQueues.shippingCommands)).map((m) => m.properties.messageId)).toEqual([command.id]);
  });

  it('rejects a command no queue is bound for (mandatory), but not an event nobody listens to', async () => {
    const lost = LoseParcel.create(parcel(3), source);
    await expect(client.publish(LoseParcel, lost)).rejects.toMatchObject({
      reason: 'returned',
      messageId: lost.id,
      exchange: LoseParcel.exchange,
      routingKey: LoseParcel.type,
    });
    // An event is a fact: no subscriber is not an error (topic exchange, not mandatory).
    const Unheard = defineEvent({ type: 'test.unheard', version: 1, exchange: ParcelShipped.exchange, schema: z.object({}) });
    await expect(client.publish(Unheard, Unheard.create({}, source))).resolves.toBeUndefined();
  });

  it('refuses a message of another contract than the one named', async () => {
    await expect(client.publish(ShipParcel, ParcelShipped.create(parcel(4), source) as never)).rejects.toThrow(
      /is a test.parcel-shipped, not a test.ship-parcel/,
    );
  });
});

describe('AmqpClient while the broker is unreachable', () => {
  let app: INestApplication;

  afterEach(async () => {
    await app?.close();
  });

  it('holds at most maxInFlight publishes, makes the others wait, then rejects them all (closed, buffer-full) instead of buffering', async () => {
    const port = await unusedPort();
    const moduleRef = await Test.createTestingModule({
      imports: [
        MessagingModule.forRoot({
          url: `amqp://nobody:nothing@127.0.0.1:${port}/`,
          connectionName: 'unreachable',
          service: TestServices.shipping,
          topology: TestTopology,
          maxInFlightPublishes: 2,
          confirmTimeoutMs: 800,
          backpressureTimeoutMs: 400,
        }),
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    const client = app.get(AmqpClient);

    let peakInFlight = 0;
    const sampler = setInterval(() => (peakInFlight = Math.max(peakInFlight, client.inFlight)), 5);
    const started = Date.now();
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        client.publish(ShipParcel, ShipParcel.create(parcel(i), source)).then(
          () => ({ reason: 'confirmed', after: Date.now() - started }),
          (error: PublishRejectedError) => ({ reason: error.reason, after: Date.now() - started }),
        ),
      ),
    );
    clearInterval(sampler);

    const reasons = outcomes.map((o) => o.reason);
    expect(reasons.filter((r) => r === 'closed')).toHaveLength(2);
    expect(reasons.filter((r) => r === 'buffer-full')).toHaveLength(8);
    expect(peakInFlight).toBe(2);
    // They waited (backpressure) before failing, and none hung.
    for (const outcome of outcomes) expect(outcome.after).toBeGreaterThanOrEqual(outcome.reason === 'closed' ? 750 : 350);
    expect(Math.max(...outcomes.map((o) => o.after))).toBeLessThan(3_000);
    expect(client.inFlight).toBe(0);
  });
});
