import { PublishRejectedError } from '@orderly/messaging';
import { chainsByAggregate, publishBatch } from './batch-publisher';
import type { OutboxRow } from './outbox-row';

let nextId = 1;
function row(aggregate: string | null, attempts = 0): OutboxRow {
  const id = String(nextId++);
  return {
    id,
    aggregate,
    exchange: 'shop.events',
    routingKey: 'shop.parcel-moved',
    mandatory: false,
    attempts,
    createdMs: 0,
    message: { id: `m-${id}`, type: 'shop.parcel-moved', version: 1, source: '/test', time: new Date(0), correlationId: id, data: {} },
  };
}

/** A publish whose confirms the test settles by hand, recording what was in flight when. */
function manualBroker() {
  const pending = new Map<string, { resolve: () => void; reject: (error: unknown) => void }>();
  const started: string[] = [];
  const maxInFlight = { value: 0 };
  const publish = (r: OutboxRow) =>
    new Promise<void>((resolve, reject) => {
      started.push(r.id);
      pending.set(r.id, { resolve, reject });
      maxInFlight.value = Math.max(maxInFlight.value, pending.size);
    }).finally(() => pending.delete(r.id));
  const settle = async (id: string, error?: unknown) => {
    await flush();
    const entry = pending.get(id);
    if (!entry) throw new Error(`row ${id} is not in flight (in flight: ${[...pending.keys()].join(', ')})`);
    if (error) entry.reject(error);
    else entry.resolve();
    await flush();
  };
  return { publish, settle, started, pending, maxInFlight };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));
const returned = (r: OutboxRow) => new PublishRejectedError(r.message.id, r.exchange, r.routingKey, 'returned', 'no queue is bound');

describe('publishBatch', () => {
  it('publishes rows of different aggregates together, and confirms them all', async () => {
    const rows = [row('a'), row('b'), row(null), row(null)];
    const broker = manualBroker();
    const done = publishBatch(rows, broker.publish, () => 42);
    await flush();
    expect(broker.pending.size).toBe(4); // pipelined: every confirm awaited at once
    for (const r of rows) await broker.settle(r.id);
    expect((await done).map((o) => [o.row.id, o.status])).toEqual(rows.map((r) => [r.id, 'sent']));
  });

  it('publishes the rows of one aggregate one after another, each after the previous confirm', async () => {
    const [a1, a2, b1] = [row('a'), row('a'), row('b')];
    const broker = manualBroker();
    const done = publishBatch([a1, a2, b1], broker.publish, () => 0);
    await flush();
    expect(broker.started).toEqual([a1.id, b1.id]);
    await broker.settle(a1.id);
    expect(broker.started).toEqual([a1.id, b1.id, a2.id]);
    await broker.settle(a2.id);
    await broker.settle(b1.id);
    expect((await done).every((o) => o.status === 'sent')).toBe(true);
  });

  it('holds back the rest of an aggregate after a failure, and nothing of other aggregates', async () => {
    const [a1, a2, a3, b1] = [row('a'), row('a'), row('a'), row('b')];
    const broker = manualBroker();
    const done = publishBatch([a1, a2, a3, b1], broker.publish, () => 0);
    await broker.settle(a1.id, returned(a1));
    await broker.settle(b1.id);
    const outcomes = await done;
    expect(outcomes.map((o) => o.status)).toEqual(['failed', 'held-back', 'held-back', 'sent']);
    expect(outcomes[0]).toMatchObject({ failure: { kind: 'refused', reason: 'returned' } });
    expect(broker.started).toEqual([a1.id, b1.id]);
  });

  it('publishes rows that failed before one at a time, before the others', async () => {
    const retried = [row('r', 1), row(null, 2)];
    const fresh = [row('f'), row(null)];
    const broker = manualBroker();
    const done = publishBatch([fresh[0], retried[0], fresh[1], retried[1]], broker.publish, () => 0);
    await flush();
    expect(broker.started).toEqual([retried[0].id]);
    await broker.settle(retried[0].id);
    expect(broker.started).toEqual([retried[0].id, retried[1].id]);
    await broker.settle(retried[1].id);
    expect(broker.pending.size).toBe(2);
    await broker.settle(fresh[0].id);
    await broker.settle(fresh[1].id);
    expect((await done).map((o) => o.row.id)).toEqual([fresh[0].id, retried[0].id, fresh[1].id, retried[1].id]);
  });

  it('records the confirm time of each sent row', async () => {
    let clock = 100;
    const broker = manualBroker();
    const [a, b] = [row('a'), row('b')];
    const done = publishBatch([a, b], broker.publish, () => clock);
    await broker.settle(a.id);
    clock = 250;
    await broker.settle(b.id);
    expect((await done).map((o) => (o.status === 'sent' ? o.confirmedAt : undefined))).toEqual([100, 250]);
  });
});

describe('chainsByAggregate', () => {
  it('groups rows by aggregate in id order, each row without aggregate alone', () => {
    const rows = [row('a'), row(null), row('b'), row('a'), row(null)];
    expect(chainsByAggregate(rows).map((chain) => chain.map((r) => rows.indexOf(r)))).toEqual([[0, 3], [1], [2], [4]]);
  });
});
