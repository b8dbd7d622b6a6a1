import { Controller, type INestApplication } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { deadLetterQueueOf } from '@orderly/contracts';
import { startPrivateBroker, testBrokerControl, type PrivateBroker } from '@orderly/testing';
import { AmqpClient } from '../client/amqp-client';
import { MessageContext } from '../consumer/message-context';
import type { PublishRejectedError } from '../errors/publish-rejected.error';
import { Handles } from '../nest/handles.decorator';
import {
  connectionNameOf,
  Received,
  startTestService,
  TestBroker,
  waitFor,
} from '../test-support/messaging-test-bed';
import {
  parcel,
  ShipParcel,
  source,
  TestQueues,
  TestServices,
  TestTopology,
} from '../test-support/test-topology';
import { AmqpServer } from './amqp-server';

@Controller()
class ShippingHandlers {
  static readonly received = new Received();

  @Handles(ShipParcel)
  async ship(@Payload() command: ShipParcel, @Ctx() ctx: MessageContext): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 2)); // a little work, so handlers are in flight at the fault
    ShippingHandlers.received.record(command, ctx);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs a stream of publishes and consumes through `fault`: publishes at a steady pace (re-publishing a
 * rejected message, as the outbox relay does) until the fault is over and 100 more were confirmed,
 * then waits until every confirmed message was handled. Records what the test asserts on.
 */
async function streamThrough(app: INestApplication, fault: () => Promise<void>) {
  const server = app.get(AmqpServer);
  const client = app.get(AmqpClient);
  const outage = { down: 0, up: 0 };
  const isDown = () => outage.down > 0 && outage.up === 0;
  server.on('disconnect', () => (outage.down ||= Date.now()));
  server.on('connect', () => {
    if (outage.down && !outage.up) outage.up = Date.now();
  });
  const stats = { attempts: 0, settled: 0, startedWhileDown: 0, rejections: new Map<string, number>() };
  const confirmed: string[] = [];
  let seq = 0;
  let stop = false;
  const worker = async () => {
    while (!stop) {
      const message = ShipParcel.create(parcel(seq++), source);
      for (;;) {
        stats.attempts++;
        if (isDown()) stats.startedWhileDown++;
        try {
          await client.publish(ShipParcel, message);
          stats.settled++;
          confirmed.push(message.id);
          break;
        } catch (error) {
          stats.settled++;
          const reason = (error as PublishRejectedError).reason ?? String(error);
          stats.rejections.set(reason, (stats.rejections.get(reason) ?? 0) + 1);
          await sleep(50); // the relay's back-off before the next attempt, not an assertion
        }
      }
      await sleep(10);
    }
  };
  const publishing = Promise.all(Array.from({ length: 4 }, worker));
  await waitFor(() => confirmed.length >= 100, { what: '100 confirmed publishes before the fault' });
  const handledBeforeFault = ShippingHandlers.received.messages.length;
  await fault();
  await waitFor(() => outage.up > 0, { timeoutMs: 60_000, what: 'the connection to come back' });
  const confirmedAtReconnect = confirmed.length;
  await waitFor(() => confirmed.length >= confirmedAtReconnect + 100, {
    timeoutMs: 30_000,
    what: '100 more confirmed publishes',
  });
  stop = true;
  await publishing;
  await waitFor(() => confirmed.every((id) => ShippingHandlers.received.counts().has(id)), {
    timeoutMs: 60_000,
    what: `all ${confirmed.length} confirmed messages handled (have ${ShippingHandlers.received.counts().size})`,
  });
  return { confirmed, stats, outage, handledBeforeFault };
}

describe('AmqpServer under broker faults', () => {
  let broker: TestBroker;
  let app: INestApplication;
  let privateBroker: PrivateBroker;

  beforeAll(async () => {
    // A node of this file's own: the restart below must not cut other test files' connections.
    privateBroker = await startPrivateBroker();
    broker = await TestBroker.create('messaging-faults');
    await broker.provision(TestTopology);
    app = await startTestService({
      broker,
      service: TestServices.shipping,
      topology: TestTopology,
      controllers: [ShippingHandlers],
      prefetch: 10,
      confirmTimeoutMs: 3_000,
    });
  });

  afterAll(async () => {
    await app?.close();
    await broker?.dispose();
    await privateBroker?.stop();
  });

  beforeEach(async () => {
    ShippingHandlers.received.messages.length = 0;
  });

  it('handles every confirmed message at least once when its connection is killed mid-stream; every publish settles; consuming resumes', async () => {
    let killed = 0;
    const { confirmed, stats, outage, handledBeforeFault } = await streamThrough(app, async () => {
      killed = await broker.closeConnectionsNamed(connectionNameOf(app));
    });
    await expectStreamSurvived({ confirmed, stats, outage, handledBeforeFault });
    expect(killed).toBe(1);
  });

  it('restores its topology after a reconnect: a queue deleted meanwhile is declared again', async () => {
    const dlq = deadLetterQueueOf(TestQueues.shippingCommands);
    await broker.vhost.api(
      'DELETE',
      `/queues/${encodeURIComponent(broker.vhost.vhost)}/${encodeURIComponent(dlq)}`,
    );
    await broker.closeConnectionsNamed(connectionNameOf(app));
    await waitFor(async () => (await broker.ready(dlq)) === 0, {
      what: `${dlq} declared again`,
      timeoutMs: 20_000,
    });
    await waitFor(() => app.get(AmqpServer).notReadyReason === undefined, {
      what: 'the server to consume every queue again',
    });
    const command = ShipParcel.create(parcel(1), source);
    await app.get(AmqpClient).publish(ShipParcel, command);
    await ShippingHandlers.received.waitForCount(1);
    expect(ShippingHandlers.received.ids()).toEqual([command.id]);
  });

  it('consumes again when the broker closes its consumer channel while the connection stays up', async () => {
    // The broker closes a channel on a protocol error, e.g. an ack with an unknown delivery tag (406):
    // provoke exactly that on the consumer's channel.
    type Internals = {
      consumers: Array<{
        queue: { name: string };
        isConsuming: boolean;
        current?: { channel: { ack(m: unknown): void } };
      }>;
    };
    const consumer = (app.get(AmqpServer) as unknown as Internals).consumers.find(
      (c) => c.queue.name === TestQueues.shippingCommands,
    );
    const before = consumer?.current;
    before?.channel.ack({ fields: { deliveryTag: 999_999 } });
    await waitFor(() => consumer?.isConsuming && consumer.current !== before, {
      what: 'the consumer to come back on a new channel',
    });
    const command = ShipParcel.create(parcel(2), source);
    await app.get(AmqpClient).publish(ShipParcel, command); // the connection (and the publisher) survived
    await ShippingHandlers.received.waitForCount(1);
    expect(ShippingHandlers.received.ids()).toEqual([command.id]);
  });

  it('handles every confirmed message at least once across a broker restart (stop_app/start_app)', async () => {
    const result = await streamThrough(app, () => testBrokerControl().restart());
    await expectStreamSurvived(result);
  });

  async function expectStreamSurvived({
    confirmed,
    stats,
    outage,
    handledBeforeFault,
  }: Awaited<ReturnType<typeof streamThrough>>) {
    // The fault really cut through the stream: publishes were started while the connection was down.
    expect(outage.up).toBeGreaterThan(outage.down);
    expect(stats.startedWhileDown).toBeGreaterThan(0);
    expect(handledBeforeFault).toBeGreaterThan(0);
    // No publish hung: each attempt was confirmed or rejected, and every rejected one was published again.
    expect(stats.settled).toBe(stats.attempts);
    expect(new Set(confirmed).size).toBe(confirmed.length);
    for (const reason of stats.rejections.keys())
      expect(['channel-error', 'closed', 'timeout']).toContain(reason);
    // None lost: every confirmed message was handled (at least once), nothing else was; 100 of them
    // were published after the reconnect, so the consumers resumed.
    expect([...ShippingHandlers.received.counts().keys()].sort()).toEqual([...confirmed].sort());
    await waitFor(async () => (await broker.ready(TestQueues.shippingCommands)) === 0, {
      what: 'an empty work queue',
    });
    expect(await broker.ready(deadLetterQueueOf(TestQueues.shippingCommands))).toBe(0);
    expect(app.get(AmqpServer).notReadyReason).toBeUndefined();
  }
});
