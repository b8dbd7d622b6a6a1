import type { INestApplication } from '@nestjs/common';
import { OutboxTestBed, RecordingMetrics, gate, parcelsOf, waitFor } from './test-support/outbox-test-bed';
import { ShopQueues, parcelMoved } from './test-support/shop-topology';

/** Every aggregate's seqs, in the order the queue holds them. */
function seqsByAggregate(parcels: ReturnType<typeof parcelsOf>): Map<string, number[]> {
  const seqs = new Map<string, number[]>();
  for (const parcel of parcels) seqs.set(parcel.parcelId, [...(seqs.get(parcel.parcelId) ?? []), parcel.seq]);
  return seqs;
}

describe('OutboxRelay instances side by side', () => {
  let bed: OutboxTestBed;
  let instances: INestApplication[];
  beforeAll(async () => {
    bed = await OutboxTestBed.create('outbox_concurrency');
    // Two service instances: two broker connections, two relays on one table.
    instances = [await bed.service(), await bed.service()];
  });
  afterAll(() => bed?.dispose());
  afterEach(async () => {
    await bed.takeAll(ShopQueues.events);
    await bed.query('DELETE FROM outbox');
  });

  it('publish each message once, and the messages of each aggregate in the order they were written', async () => {
    const metrics = [new RecordingMetrics(), new RecordingMetrics()];
    // Small batches and two workers each: many claims racing for the same rows.
    const relays = instances.map((app, i) => bed.startRelay(app, { metrics: metrics[i], settings: { batchSize: 7, workers: 2 } }));
    const aggregates = Array.from({ length: 15 }, (_, i) => `p-${i}`);
    const rounds = 40;
    const written: string[] = [];
    for (let seq = 0; seq < rounds; seq++) {
      const messages = aggregates.map((aggregate) => parcelMoved(aggregate, seq));
      written.push(...messages.map((m) => m.id));
      await bed.commit(messages);
    }
    await waitFor(async () => (await bed.unsent()) === 0, { timeoutMs: 60_000, what: 'every row sent' });

    const delivered = parcelsOf(await bed.takeAll(ShopQueues.events));
    expect(delivered).toHaveLength(written.length);
    expect(new Set(delivered.map((p) => p.id)).size).toBe(written.length);
    const ordered = Array.from({ length: rounds }, (_, seq) => seq);
    for (const [aggregate, seqs] of seqsByAggregate(delivered)) expect([aggregate, seqs]).toEqual([aggregate, ordered]);
    // Both relays took part.
    expect(metrics.map((m) => m.publishedTotal > 0)).toEqual([true, true]);
    expect(metrics[0].publishedTotal + metrics[1].publishedTotal).toBe(written.length);
    await Promise.all(relays.map((relay) => relay.stop()));
  });

  it('hold back later rows of an aggregate while another relay holds an earlier one, and publish other aggregates meanwhile', async () => {
    const x = [0, 1, 2, 3, 4].map((seq) => parcelMoved('x', seq));
    const y = [0, 1].map((seq) => parcelMoved('y', seq));
    await bed.commit([...x, ...y]); // ids: x0 … x4, y0, y1

    // Relay A claims x0…x2 (its batch size), publishes them, and holds its claim open.
    const held = gate();
    let reachedMark!: () => void;
    const aHolds = new Promise<void>((resolve) => (reachedMark = resolve));
    const a = bed.startRelay(instances[0], {
      name: 'relay-a',
      settings: { batchSize: 3, workers: 1 },
      crashPoints: { beforeMark: () => (reachedMark(), held.promise) },
    });
    await aHolds;

    // Relay B skips A's locked rows. x3 and x4 are free, but an earlier x is unsent: B must not publish them.
    const b = bed.startRelay(instances[1], { name: 'relay-b', settings: { batchSize: 10, workers: 1, pollIntervalMs: 50 } });
    await waitFor(async () => (await bed.rows()).get(y[1].id)?.sent, { what: 'relay B to publish y' });
    const rows = await bed.rows();
    expect([...x, ...y].map((m) => rows.get(m.id)?.sent)).toEqual([false, false, false, false, false, true, true]);

    held.open(); // A marks x0…x2 sent; B then takes x3, x4
    await waitFor(async () => (await bed.unsent()) === 0, { what: 'every row sent' });
    const delivered = parcelsOf(await bed.takeAll(ShopQueues.events));
    expect(delivered.map((p) => `${p.parcelId}${p.seq}`)).toEqual(['x0', 'x1', 'x2', 'y0', 'y1', 'x3', 'x4']);
    await Promise.all([a.stop(), b.stop()]);
  });
});
