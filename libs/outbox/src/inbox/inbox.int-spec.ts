import { Controller, type INestApplication } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { deadLetterQueueOf } from '@orderly/contracts';
import { AmqpClient, DeadLetterHeaders, Handles } from '@orderly/messaging';
import type { Prisma } from '@orderly/order-db';
import { OutboxWriter } from '../outbox-writer';
import { OutboxTestBed, RecordingMetrics, gate, waitFor } from '../test-support/outbox-test-bed';
import { PackParcel, ParcelMoved, ShopQueues, parcelMoved, source } from '../test-support/shop-topology';
import { Idempotent } from './idempotent.decorator';
import { Transaction } from './transaction.decorator';

/** What the handler does, and lets a test hold it or make it fail. */
const behaviour = {
  entered: 0,
  hold: undefined as Promise<void> | undefined,
  failSeq: undefined as number | undefined,
};

/**
 * A handler as a service writes one: its effect (an order row; here its customer id is the parcel id)
 * and the command it causes (through the outbox) go through the inbox's transaction.
 */
@Controller()
class ParcelHandler {
  constructor(private readonly outbox: OutboxWriter) {}

  @Handles(ParcelMoved)
  @Idempotent({ consumer: 'shop-service.parcel-moved' })
  async moved(@Payload() event: ParcelMoved, @Transaction() tx: Prisma.TransactionClient): Promise<void> {
    behaviour.entered++;
    await behaviour.hold;
    await tx.order.create({ data: { customerId: event.data.parcelId, totalMinor: event.data.seq, currency: 'EUR' } });
    await this.outbox.add(tx, PackParcel, PackParcel.create(event.data, { ...source, causationId: event.id }));
    if (event.data.seq === behaviour.failSeq) throw new Error(`parcel ${event.data.parcelId} cannot be handled`);
  }
}

/** Asks for the transaction without the inbox: a programming error, reported on the first delivery. */
@Controller()
class ForgetfulHandler {
  @Handles(ParcelMoved)
  async moved(@Payload() event: ParcelMoved, @Transaction() tx: unknown): Promise<void> {
    throw new Error(`never reached: ${event.id} would run in ${String(tx)}`);
  }
}

describe('Inbox (@Idempotent handlers)', () => {
  let bed: OutboxTestBed;
  let app: INestApplication;
  const metrics = new RecordingMetrics();
  const effects = async (parcelId: string) => bed.prisma.order.count({ where: { customerId: parcelId } });
  const caused = async (causationId: string) => bed.prisma.outboxMessage.count({ where: { causationId } });
  const publish = (message: ParcelMoved) => app.get(AmqpClient).publish(ParcelMoved, message);

  beforeAll(async () => {
    bed = await OutboxTestBed.create('inbox');
    app = await bed.service({ controllers: [ParcelHandler], outbox: { runRelay: false }, metrics, messaging: { prefetch: 5 } });
  });
  afterAll(() => bed?.dispose());
  beforeEach(() => {
    behaviour.entered = 0;
    behaviour.hold = undefined;
    behaviour.failSeq = undefined;
  });

  it('handles a message delivered twice once: one effect, one outgoing message, the second delivery acked', async () => {
    const message = parcelMoved('p-twice', 1);
    await publish(message);
    await waitFor(async () => (await effects('p-twice')) === 1, { what: 'the first delivery handled' });
    await publish(message); // the same message id again, as a redelivery or a relay re-publish brings it
    await waitFor(() => metrics.duplicates.get('shop-service.parcel-moved') === 1, { what: 'the duplicate recognised' });

    expect(behaviour.entered).toBe(1);
    expect(await effects('p-twice')).toBe(1);
    expect(await caused(message.id)).toBe(1);
    expect(await bed.prisma.inboxMessage.findMany({ where: { messageId: message.id } })).toEqual([
      expect.objectContaining({ consumer: 'shop-service.parcel-moved' }),
    ]);
  });

  it('runs concurrent deliveries of one message once: the second waits for the first and finds it handled', async () => {
    const release = gate();
    behaviour.hold = release.promise;
    const message = parcelMoved('p-concurrent', 1);
    await Promise.all([publish(message), publish(message)]);
    await waitFor(() => behaviour.entered === 1, { what: 'the first delivery in its handler' });
    // The second delivery is blocked on the first one's uncommitted inbox row.
    await waitFor(
      async () =>
        (await bed.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)).length === 1,
      { what: 'the second delivery waiting for the first transaction' },
    );
    release.open();
    await waitFor(() => metrics.duplicates.get('shop-service.parcel-moved') === 2, { what: 'the duplicate recognised' });
    expect(behaviour.entered).toBe(1);
    expect(await effects('p-concurrent')).toBe(1);
  });

  it('keeps nothing of a failed handling, so a later delivery of the message is handled', async () => {
    behaviour.failSeq = 13;
    const message = parcelMoved('p-fails', 13);
    await publish(message);
    const dlq = deadLetterQueueOf(ShopQueues.events);
    await waitFor(async () => (await bed.ready(dlq)) === 1, { what: 'the failed delivery parked' });
    expect(await effects('p-fails')).toBe(0);
    expect(await caused(message.id)).toBe(0);
    expect(await bed.prisma.inboxMessage.count({ where: { messageId: message.id } })).toBe(0);

    behaviour.failSeq = undefined;
    await publish(message); // e.g. replayed from the DLQ after a fix
    await waitFor(async () => (await effects('p-fails')) === 1, { what: 'the replay handled' });
    expect(await caused(message.id)).toBe(1);
    await bed.takeAll(dlq);
  });

  it('leaves no delivery unacknowledged and parks none', async () => {
    await app.close(); // graceful: finished handlers are acked; an unacked delivery would become ready again
    expect(await bed.ready(ShopQueues.events)).toBe(0);
    expect(await bed.ready(deadLetterQueueOf(ShopQueues.events))).toBe(0);
  });

  it('refuses @Transaction() on a handler without @Idempotent(), naming the handler', async () => {
    const other = await bed.service({ controllers: [ForgetfulHandler], outbox: { runRelay: false } });
    await other.get(AmqpClient).publish(ParcelMoved, parcelMoved('p-forgetful', 0));
    const dlq = deadLetterQueueOf(ShopQueues.events);
    await waitFor(async () => (await bed.ready(dlq)) === 1, { what: 'the delivery parked' });
    const [parked] = await bed.takeAll(dlq);
    expect(parked.properties.headers?.[DeadLetterHeaders.errorType]).toBe('InboxTransactionMissingError');
    expect(String(parked.properties.headers?.[DeadLetterHeaders.errorMessage])).toContain('ForgetfulHandler.moved');
  });
});
