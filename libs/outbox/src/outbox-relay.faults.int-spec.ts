import type { INestApplication } from '@nestjs/common';
import { OutboxTestBed, RecordingMetrics, gate, parcelsOf, waitFor } from './test-support/outbox-test-bed';
import { LoseParcel, PackParcel, ParcelMoved, ShopExchanges, ShopQueues, parcelMoved, source } from './test-support/shop-topology';

describe('OutboxRelay when publishing fails', () => {
  let bed: OutboxTestBed;
  let app: INestApplication;
  beforeAll(async () => {
    bed = await OutboxTestBed.create('outbox_faults');
    app = await bed.service();
  });
  afterAll(() => bed?.dispose());
  afterEach(async () => {
    await bed.takeAll(ShopQueues.events);
    await bed.query('DELETE FROM outbox');
  });

  it('keeps the rows while the broker is unreachable, loses none, and publishes them all once it is back', async () => {
    const metrics = new RecordingMetrics();
    const relay = bed.startRelay(app, { metrics });
    const before = Array.from({ length: 10 }, (_, seq) => parcelMoved('p-before', seq));
    await bed.commit(before);
    await waitFor(async () => (await bed.unsent()) === 0, { what: 'the first rows sent' });

    await bed.cutBroker([app]); // the service's broker user loses the vhost: connections closed, reconnects refused
    const during = Array.from({ length: 30 }, (_, seq) => parcelMoved(`p-during-${seq % 3}`, seq));
    try {
      for (let i = 0; i < during.length; i += 10) await bed.commit(during.slice(i, i + 10));
      await waitFor(() => metrics.failuresTotal() > 0, { what: 'the relay to fail to publish' });
      expect([...metrics.failures.keys()]).toEqual(['closed']); // not the rows' fault: no backoff
      const rows = await bed.rows();
      expect(during.map((m) => rows.get(m.id))).toEqual(during.map(() => ({ sent: false, attempts: 0, lastError: null })));
    } finally {
      await bed.restoreBroker();
    }
    await waitFor(async () => (await bed.unsent()) === 0, { timeoutMs: 30_000, what: 'every row sent after the outage' });
    const delivered = parcelsOf(await bed.takeAll(ShopQueues.events)).map((p) => p.id);
    expect(delivered.sort()).toEqual([...before, ...during].map((m) => m.id).sort()); // each exactly once
    await relay.stop();
  });

  it('backs off a message the broker refuses, holding back its aggregate only, and publishes it once it is routable', async () => {
    const metrics = new RecordingMetrics();
    const relay = bed.startRelay(app, { metrics, settings: { retryBaseDelayMs: 300, retryMaxDelayMs: 300 } });
    // No queue is bound for PackParcel yet: the broker returns the mandatory command.
    const commands = [0, 1].map((seq) => PackParcel.create({ parcelId: 'c', seq }, { ...source, subject: 'c' }));
    const event = parcelMoved('e', 0);
    await bed.prisma.$transaction(async (tx) => {
      await bed.writer().add(tx, PackParcel, commands);
      await bed.writer().add(tx, ParcelMoved, event);
    });

    await waitFor(async () => (await bed.rows()).get(event.id)?.sent, { what: 'the event of the other aggregate sent' });
    await waitFor(async () => ((await bed.rows()).get(commands[0].id)?.attempts ?? 0) >= 1, { what: 'the first command refused' });
    const rows = await bed.rows();
    expect(rows.get(commands[0].id)).toMatchObject({ sent: false, lastError: expect.stringContaining('returned') });
    expect(rows.get(commands[1].id)).toMatchObject({ sent: false, attempts: 0 }); // waits behind the first
    expect(metrics.failures.get('returned')).toBeGreaterThanOrEqual(1);

    await bed.bindQueue(ShopQueues.commands, ShopExchanges.commands, PackParcel.type);
    await waitFor(async () => (await bed.unsent()) === 0, { what: 'both commands sent once routable' });
    expect(parcelsOf(await bed.takeAll(ShopQueues.commands)).map((p) => p.seq)).toEqual([0, 1]);
    await relay.stop();
  });

  it('backs off a message whose exchange is missing, and publishes the messages that were in flight with it', async () => {
    const relay = bed.startRelay(app, { settings: { retryBaseDelayMs: 60_000, retryMaxDelayMs: 60_000 } });
    const lost = [0, 1].map((seq) => LoseParcel.create({ parcelId: 'l', seq }, { ...source, subject: 'l' }));
    const others = Array.from({ length: 20 }, (_, i) => parcelMoved(`o-${i}`, 0));
    await bed.prisma.$transaction(async (tx) => {
      await bed.writer().add(tx, ParcelMoved, others.slice(0, 10));
      await bed.writer().add(tx, LoseParcel, lost);
      await bed.writer().add(tx, ParcelMoved, others.slice(10));
    });

    await waitFor(async () => (await bed.unsent()) === 2, { what: 'everything but the lost parcels sent' });
    const rows = await bed.rows();
    expect(rows.get(lost[0].id)).toMatchObject({ sent: false, attempts: 1, lastError: expect.stringContaining('NOT_FOUND') });
    expect(rows.get(lost[1].id)).toMatchObject({ sent: false, attempts: 0 });
    // The channel closed under the messages in flight with the lost one; they were retried (one by one)
    // and published. A message whose confirm the closing channel swallowed may arrive twice: at-least-once.
    const delivered = new Set(parcelsOf(await bed.takeAll(ShopQueues.events)).map((p) => p.id));
    expect(others.filter((m) => !delivered.has(m.id))).toEqual([]);
    await relay.stop();
  });

  it('survives PostgreSQL ending its connection in the middle of a batch, and publishes the batch again', async () => {
    const held = gate();
    let reachedMark!: () => void;
    const atMark = new Promise<void>((resolve) => (reachedMark = resolve));
    let first = true;
    const relay = bed.startRelay(app, {
      name: 'relay-killed-connection',
      settings: { workers: 1 },
      crashPoints: {
        beforeMark: async () => {
          if (!first) return;
          first = false;
          reachedMark();
          await held.promise;
        },
      },
    });
    const batch = [parcelMoved('p-killed', 0), parcelMoved('p-killed', 1)];
    await bed.commit(batch);
    await atMark; // published, holding its claim open, idle in transaction
    const [{ killed }] = await bed.query<{ killed: number }>(
      `SELECT count(pg_terminate_backend(pid))::int AS killed FROM pg_stat_activity
       WHERE application_name = 'relay-killed-connection' AND state = 'idle in transaction'`,
    );
    expect(killed).toBe(1);
    held.open(); // its mark fails: the claim is gone with the connection

    await waitFor(async () => (await bed.unsent()) === 0, { what: 'the batch published again and marked' });
    const later = parcelMoved('p-killed', 2);
    await bed.commit([later]); // the relay (and its process) lives on
    await waitFor(async () => (await bed.unsent()) === 0, { what: 'a later message sent' });
    const delivered = parcelsOf(await bed.takeAll(ShopQueues.events)).map((p) => p.seq);
    expect(delivered).toEqual([0, 1, 0, 1, 2]); // the first copies, then the re-published batch, then the new one
    await relay.stop();
  });
});
