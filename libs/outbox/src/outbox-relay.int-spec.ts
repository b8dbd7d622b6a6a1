import type { INestApplication } from '@nestjs/common';
import { OutboxTestBed, RecordingMetrics, gate, parcelsOf, waitFor } from './test-support/outbox-test-bed';
import { ParcelMoved, ShopQueues, parcelMoved } from './test-support/shop-topology';

describe('OutboxRelay', () => {
  let bed: OutboxTestBed;
  let app: INestApplication;
  beforeAll(async () => {
    bed = await OutboxTestBed.create('outbox_relay');
    app = await bed.service();
  });
  afterAll(() => bed?.dispose());
  afterEach(async () => {
    // Each test leaves the queue empty and every row sent, for the next one.
    await bed.takeAll(ShopQueues.events);
    await bed.query('DELETE FROM outbox');
  });

  it('publishes each committed message exactly once, as written, and nothing of a rolled-back transaction', async () => {
    const metrics = new RecordingMetrics();
    const relay = bed.startRelay(app, { metrics });
    const committed = Array.from({ length: 5 }, (_, tx) => Array.from({ length: 10 }, (_, i) => parcelMoved(`p-${i}`, tx)));
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    for (const [index, messages] of committed.entries()) {
      await bed.commit(messages, index === 0 ? bed.writer({ currentTraceContext: () => ({ traceparent }) }) : undefined);
    }
    const rolledBack = parcelMoved('p-0', 99);
    await bed.prisma
      .$transaction(async (tx) => {
        await bed.writer().add(tx, ParcelMoved, rolledBack);
        throw new Error('rolled back');
      })
      .catch(() => undefined);

    await waitFor(async () => (await bed.unsent()) === 0 && metrics.publishedTotal >= 50, { what: 'all 50 rows sent' });
    const delivered = await bed.takeAll(ShopQueues.events);
    const ids = committed.flat().map((m) => m.id);
    expect(delivered.map((m) => m.properties.messageId).sort()).toEqual([...ids].sort());
    expect(delivered.map((m) => m.properties.messageId)).not.toContain(rolledBack.id);
    expect(metrics.publishedTotal).toBe(50);
    expect(metrics.latenciesSeconds).toHaveLength(50);
    expect(metrics.failuresTotal()).toBe(0);

    const first = committed[0][0];
    const received = delivered.find((m) => m.properties.messageId === first.id);
    expect(JSON.parse(received?.content.toString() ?? '')).toEqual(first.data);
    expect(received?.properties).toMatchObject({
      type: 'shop.parcel-moved',
      contentType: 'application/json',
      correlationId: first.correlationId,
      deliveryMode: 2,
      headers: expect.objectContaining({
        'cloudEvents:id': first.id,
        'cloudEvents:source': '/orderly/shop-service',
        'cloudEvents:subject': 'p-0',
        'cloudEvents:time': first.time.toISOString(),
        traceparent,
      }),
    });
    await relay.stop();
  });

  it('wakes up on the notification of a commit, without waiting for its poll', async () => {
    // Polls once a minute: within this test's patience only the writer's NOTIFY can wake it.
    const relay = bed.startRelay(app, { settings: { pollIntervalMs: 60_000 } });
    await waitFor(() => relay.listening, { what: 'the relay to LISTEN' });
    const message = parcelMoved('p-notify', 0);
    await bed.commit([message]);
    await waitFor(async () => (await bed.unsent()) === 0, { timeoutMs: 10_000, what: 'the row sent' });
    expect(parcelsOf(await bed.takeAll(ShopQueues.events)).map((p) => p.id)).toEqual([message.id]);
    await relay.stop();
  });

  it('finds messages by polling when writers do not notify', async () => {
    const relay = bed.startRelay(app, { settings: { pollIntervalMs: 100 } });
    const messages = [parcelMoved('p-poll', 0), parcelMoved('p-poll', 1)];
    await bed.commit(messages, bed.writer(undefined, false));
    await waitFor(async () => (await bed.unsent()) === 0, { what: 'the rows sent' });
    expect(parcelsOf(await bed.takeAll(ShopQueues.events)).map((p) => p.seq)).toEqual([0, 1]);
    await relay.stop();
  });

  it('stops gracefully: the batch in flight is published and marked, nothing is claimed after', async () => {
    const held = gate();
    let reachedMark!: () => void;
    const atMark = new Promise<void>((resolve) => (reachedMark = resolve));
    const relay = bed.startRelay(app, {
      crashPoints: {
        beforeMark: async () => {
          reachedMark();
          await held.promise;
        },
      },
    });
    const inFlight = [parcelMoved('p-stop', 0), parcelMoved('p-stop', 1)];
    await bed.commit(inFlight);
    await atMark;
    const stopped = relay.stop();
    held.open();
    await stopped;
    expect([...(await bed.rows()).values()].map((row) => row.sent)).toEqual([true, true]);

    await bed.commit([parcelMoved('p-stop', 2)]);
    expect(await bed.unsent()).toBe(1); // nobody claims it: the relay has stopped
    expect(parcelsOf(await bed.takeAll(ShopQueues.events)).map((p) => p.seq)).toEqual([0, 1]);
    await bed.query('DELETE FROM outbox');
  });

  it('reports the backlog: unsent rows and the age of the oldest', async () => {
    const metrics = new RecordingMetrics();
    const held = gate();
    let reachedMark!: () => void;
    const atMark = new Promise<void>((resolve) => (reachedMark = resolve));
    const relay = bed.startRelay(app, {
      metrics,
      settings: { backlogIntervalMs: 60_000 },
      crashPoints: { beforeMark: () => (reachedMark(), held.promise) },
    });
    await bed.commit([parcelMoved('p-backlog', 0), parcelMoved('p-backlog', 1), parcelMoved('p-backlog', 2)]);
    await atMark; // published, not marked yet: still backlog
    const backlog = await relay.backlog();
    expect(backlog.messages).toBe(3);
    expect(backlog.oldestAgeSeconds).toBeGreaterThanOrEqual(0);
    expect(backlog.oldestAgeSeconds).toBeLessThan(60);
    expect(metrics.lastBacklog).toEqual(backlog);
    held.open();
    await waitFor(async () => (await relay.backlog()).messages === 0, { what: 'an empty backlog' });
    await relay.stop();
  });

  it('deletes sent rows and inbox rows past their retention, in bounded batches', async () => {
    const relay = bed.startRelay(app, { settings: { sentRetentionMs: 1, cleanupBatchSize: 10, cleanupMaxBatches: 3, inboxRetentionMs: 86_400_000 } });
    await bed.commit(Array.from({ length: 45 }, (_, seq) => parcelMoved('p-retention', seq)));
    await waitFor(async () => (await bed.unsent()) === 0, { what: 'the rows sent' });
    await bed.query(
      `INSERT INTO inbox (message_id, consumer, processed_at)
       SELECT 'old-' || i, 'shop', now() - interval '2 days' FROM generate_series(1, 5) i
       UNION ALL SELECT 'new-' || i, 'shop', now() FROM generate_series(1, 3) i`,
    );

    const first = await relay.cleanUp();
    expect(first.outbox).toBe(30); // three statements of ten, then the run ends
    expect(first.inbox).toBe(5);
    const second = await relay.cleanUp();
    expect(second.outbox).toBe(15);
    expect(await bed.query('SELECT id FROM outbox')).toHaveLength(0);
    const inbox = await bed.query<{ message_id: string }>('SELECT message_id FROM inbox ORDER BY message_id');
    expect(inbox.map((row) => row.message_id)).toEqual(['new-1', 'new-2', 'new-3']);
    await relay.stop();
    await bed.query('DELETE FROM inbox');
  });

  it('deletes each row as soon as it is confirmed when sent rows are not kept (sentRetentionMs 0)', async () => {
    const metrics = new RecordingMetrics();
    const relay = bed.startRelay(app, { metrics, settings: { sentRetentionMs: 0 } });
    const messages = Array.from({ length: 20 }, (_, seq) => parcelMoved(`p-${seq % 4}`, seq));
    await bed.commit(messages);
    await waitFor(() => metrics.publishedTotal === 20, { what: 'all confirmed' });
    await waitFor(async () => (await bed.query('SELECT id FROM outbox')).length === 0, { what: 'the rows deleted' });
    expect(parcelsOf(await bed.takeAll(ShopQueues.events)).map((p) => p.id).sort()).toEqual(messages.map((m) => m.id).sort());
    await relay.stop();
  });
});
