// Network faults between a service and the real broker, injected by the test harness's TCP proxy:
// connections reset, traffic black-holed, latency added. What must hold: every publish settles (confirmed
// or rejected with a reason, never hanging), the connection comes back by itself, and publishing resumes.
import type { INestApplication } from '@nestjs/common';
import { FaultProxy } from '@orderly/testing';
import { AmqpClient } from '../client/amqp-client';
import { PublishRejectedError } from '../errors/publish-rejected.error';
import { startTestService, TestBroker, waitFor } from '../test-support/messaging-test-bed';
import { parcel, ShipParcel, source, TestQueues, TestServices, TestTopology } from '../test-support/test-topology';
import { AmqpConnection } from './amqp-connection';

describe('AmqpClient through a faulty network (TCP fault proxy)', () => {
  let broker: TestBroker;
  let proxy: FaultProxy;
  let app: INestApplication;
  let client: AmqpClient;
  let connection: AmqpConnection;
  let seq = 0;

  beforeAll(async () => {
    broker = await TestBroker.create('messaging-proxy');
    await broker.provision(TestTopology);
  });
  afterAll(async () => {
    await broker?.dispose();
  });
  beforeEach(async () => {
    proxy = await FaultProxy.forUrl(broker.amqpUrl);
    app = await startTestService({
      broker,
      service: TestServices.shipping,
      topology: TestTopology,
      consume: false,
      url: proxy.url(broker.amqpUrl),
      confirmTimeoutMs: 1_500,
      // Longer than any test here: only the publisher's own timeout may notice the black hole.
      heartbeatSeconds: 60,
    });
    client = app.get(AmqpClient);
    connection = app.get(AmqpConnection, { strict: false });
    await broker.takeAll(TestQueues.shippingCommands);
  });
  afterEach(async () => {
    await app?.close();
    await proxy?.close();
  });

  const command = () => ShipParcel.create(parcel(seq++), source);
  const queued = async () => (await broker.takeAll(TestQueues.shippingCommands)).map((m) => m.properties.messageId as string);
  /** The client connected again through the proxy: a new TCP connection, and amqplib's handshake done. */
  const reconnected = (accepted: number) =>
    waitFor(() => proxy.acceptedConnections > accepted && connection.isConnected(), {
      timeoutMs: 15_000,
      what: 'a new connection through the proxy',
    });

  it('reconnects after every connection was reset, and publishes resume', async () => {
    const before = command();
    await client.publish(ShipParcel, before);
    const accepted = proxy.acceptedConnections;

    expect(proxy.resetAll()).toBe(1);
    await reconnected(accepted);

    const after = command();
    await client.publish(ShipParcel, after);
    expect(await queued()).toEqual([before.id, after.id]);
  });

  it('settles publishes that were in flight at the reset: confirmed, or rejected with a reason', async () => {
    const accepted = proxy.acceptedConnections;
    const inFlight = Array.from({ length: 20 }, command);
    const outcomes = Promise.all(
      inFlight.map((message) =>
        client.publish(ShipParcel, message).then(
          () => ({ id: message.id, outcome: 'confirmed' }),
          (error: unknown) => ({ id: message.id, outcome: error instanceof PublishRejectedError ? error.reason : String(error) }),
        ),
      ),
    );
    proxy.resetAll();
    const settled = await outcomes;
    await reconnected(accepted);

    // A confirmed message is in the queue: nothing confirmed was lost. A rejected one may or may not
    // have arrived (the confirm was lost with the connection): that is what the outbox re-sends.
    const inQueue = new Set(await queued());
    for (const { id, outcome } of settled) {
      expect(['confirmed', 'closed', 'channel-error', 'timeout']).toContain(outcome);
      if (outcome === 'confirmed') expect(inQueue.has(id)).toBe(true);
    }
    const next = command();
    await client.publish(ShipParcel, next);
    expect(await queued()).toEqual([next.id]);
  });

  it('rejects a publish into a black hole with the publisher timeout, and publishes again once the network heals', async () => {
    const before = command();
    await client.publish(ShipParcel, before);
    const accepted = proxy.acceptedConnections;

    proxy.blackHole();
    const lost = command();
    const error = await client.publish(ShipParcel, lost).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PublishRejectedError);
    expect(error).toMatchObject({ reason: 'timeout', messageId: lost.id });
    expect((error as Error).message).toMatch(/no confirm within 1500 ms/);
    // The connection looked alive the whole time: nothing but the timeout could tell.
    expect(proxy.openConnections).toBe(1);

    proxy.pass(); // the stream had a gap: the proxy resets it, the client reconnects
    await reconnected(accepted);
    const after = command();
    await client.publish(ShipParcel, after);
    // The black-holed publish never reached the broker; the outbox would publish it again.
    expect(await queued()).toEqual([before.id, after.id]);
    expect(proxy.droppedBytes).toBeGreaterThan(0);
  });

  it('keeps confirming, in order, with latency added both ways', async () => {
    proxy.setLatency(100);
    const messages = Array.from({ length: 10 }, command);
    await Promise.all(messages.map((message) => client.publish(ShipParcel, message)));
    proxy.setLatency(0);
    expect(await queued()).toEqual(messages.map((m) => m.id));
  });
});
