import { NOTIFY_CHANNEL } from './outbox-sql';
import { OutboxWriteError } from './errors/outbox-write.error';
import { OutboxTestBed, waitFor } from './test-support/outbox-test-bed';
import { PackParcel, ParcelMoved, parcelMoved, source } from './test-support/shop-topology';

describe('OutboxWriter', () => {
  let bed: OutboxTestBed;
  beforeAll(async () => (bed = await OutboxTestBed.create('outbox_writer')));
  afterAll(() => bed?.dispose());

  it('stores the message as created, with its route, inside the caller transaction', async () => {
    const message = ParcelMoved.create(
      { parcelId: 'p-1', seq: 7 },
      { ...source, subject: 'p-1', correlationId: 'order-1', causationId: 'cause-1' },
    );
    await bed.commit([message]);

    const stored = await bed.prisma.outboxMessage.findUniqueOrThrow({ where: { messageId: message.id } });
    expect(stored).toMatchObject({
      type: 'shop.parcel-moved',
      aggregate: 'p-1',
      exchange: 'shop.events',
      routingKey: 'shop.parcel-moved',
      mandatory: false,
      version: 1,
      source: '/orderly/shop-service',
      occurredAt: message.time,
      correlationId: 'order-1',
      causationId: 'cause-1',
      body: { parcelId: 'p-1', seq: 7 },
      sentAt: null,
      attempts: 0,
      lastError: null,
    });
    const [raw] = await bed.query<{ body: string }>('SELECT body::text AS body FROM outbox WHERE message_id = $1', [message.id]);
    expect(raw.body).toBe(JSON.stringify(message.data)); // json keeps the text: published byte for byte
  });

  it('marks commands and replies mandatory', async () => {
    const command = PackParcel.create({ parcelId: 'p-2', seq: 0 }, source);
    await bed.prisma.$transaction(async (tx) => bed.writer().add(tx, PackParcel, command));
    const stored = await bed.prisma.outboxMessage.findUniqueOrThrow({ where: { messageId: command.id } });
    expect(stored).toMatchObject({ exchange: 'shop.commands', routingKey: 'shop.pack-parcel', mandatory: true, aggregate: null });
  });

  it('keeps nothing of a transaction that rolls back', async () => {
    const message = parcelMoved('p-rollback', 0);
    const failure = new Error('the state change failed after the message was added');
    await expect(
      bed.prisma.$transaction(async (tx) => {
        await bed.writer().add(tx, ParcelMoved, message);
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await bed.prisma.outboxMessage.count({ where: { messageId: message.id } })).toBe(0);
  });

  it('stores the trace context current at write time, unless the message carries its own', async () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const writer = bed.writer({ currentTraceContext: () => ({ traceparent, tracestate: 'vendor=1' }) });
    const plain = parcelMoved('p-trace', 0);
    const traced = { ...parcelMoved('p-trace', 1), traceparent: '00-11111111111111111111111111111111-2222222222222222-01' };
    await bed.commit([plain, traced], writer);

    const stored = await bed.prisma.outboxMessage.findMany({ where: { aggregate: 'p-trace' }, orderBy: { id: 'asc' } });
    expect(stored.map((row) => [row.traceparent, row.tracestate])).toEqual([
      [traceparent, 'vendor=1'],
      [traced.traceparent, null],
    ]);
  });

  it('adds many messages in insertion order, and notifies once per transaction', async () => {
    const listener = await bed.listen(NOTIFY_CHANNEL);
    try {
      const messages = Array.from({ length: 1_200 }, (_, seq) => parcelMoved('p-many', seq));
      await bed.prisma.$transaction(async (tx) => {
        const writer = bed.writer();
        await writer.add(tx, ParcelMoved, messages.slice(0, 600));
        await writer.add(tx, ParcelMoved, messages.slice(600));
      });
      await bed.commit([parcelMoved('p-other', 0)]);
      await waitFor(() => listener.count() >= 2, { what: 'two notifications' });
      const stored = await bed.prisma.outboxMessage.findMany({ where: { aggregate: 'p-many' }, orderBy: { id: 'asc' } });
      expect(stored.map((row) => (row.body as { seq: number }).seq)).toEqual(messages.map((m) => m.data.seq));
      // Two committing transactions, two notifications: the second arrived, so the first would have too.
      expect(listener.count()).toBe(2);
    } finally {
      await listener.close();
    }
  });

  it('does not notify when told not to', async () => {
    const listener = await bed.listen(NOTIFY_CHANNEL);
    try {
      await bed.commit([parcelMoved('p-quiet', 0)], bed.writer(undefined, false));
      await bed.commit([parcelMoved('p-loud', 0)]);
      await waitFor(() => listener.count() >= 1, { what: 'a notification' });
      expect(listener.count()).toBe(1); // only the second transaction's; notifications arrive in commit order
    } finally {
      await listener.close();
    }
  });

  it('refuses a message of another contract or with a too-long field, failing the transaction', async () => {
    const command = PackParcel.create({ parcelId: 'p-3', seq: 0 }, source);
    await expect(
      bed.prisma.$transaction(async (tx) => bed.writer().add(tx, ParcelMoved, command as unknown as ParcelMoved)),
    ).rejects.toThrow(OutboxWriteError);
    const long = ParcelMoved.create({ parcelId: 'p-4', seq: 0 }, { ...source, subject: 'x'.repeat(201) });
    await expect(bed.prisma.$transaction(async (tx) => bed.writer().add(tx, ParcelMoved, long))).rejects.toMatchObject({
      code: 'OUTBOX.WRITE_REFUSED',
      messageId: long.id,
      message: expect.stringContaining('subject is longer than 200'),
    });
  });
});
