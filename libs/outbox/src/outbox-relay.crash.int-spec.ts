import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { Handles } from '@orderly/messaging';
import type { Prisma } from '@orderly/order-db';
import { Idempotent } from './inbox/idempotent.decorator';
import { Transaction } from './inbox/transaction.decorator';
import type { OutboxRelay } from './outbox-relay';
import { OutboxTestBed, RecordingMetrics, waitFor } from './test-support/outbox-test-bed';
import { ParcelMoved, parcelMoved } from './test-support/shop-topology';

const handled: string[] = [];

@Controller()
class ParcelHandler {
  @Handles(ParcelMoved)
  @Idempotent({ consumer: 'audit.parcel-moved' })
  async moved(@Payload() event: ParcelMoved, @Transaction() tx: Prisma.TransactionClient): Promise<void> {
    handled.push(event.id);
    await tx.order.create({ data: { customerId: event.data.parcelId, totalMinor: event.data.seq, currency: 'EUR' } });
  }
}

describe('OutboxRelay crashing between publish and mark', () => {
  let bed: OutboxTestBed;
  beforeAll(async () => (bed = await OutboxTestBed.create('outbox_crash')));
  afterAll(() => bed?.dispose());

  it('publishes the message again after a restart, and the consumer inbox keeps it to one effect', async () => {
    const metrics = new RecordingMetrics();
    await bed.service({ controllers: [ParcelHandler], outbox: { runRelay: false }, metrics });
    const publisher = await bed.service();
    const message = parcelMoved('p-crash', 0);
    await bed.commit([message]);

    // The relay's process dies after the broker confirmed the message, before the row was marked sent:
    // its claim transaction is rolled back with its connection.
    const crashing: OutboxRelay = bed.startRelay(publisher, {
      settings: { workers: 1 },
      crashPoints: {
        beforeMark: () => {
          void crashing.stop();
          throw new Error('simulated crash: the relay dies between publish and mark');
        },
      },
    });
    await waitFor(() => handled.length === 1, { what: 'the first copy handled' });
    await crashing.stop();
    expect((await bed.rows()).get(message.id)).toMatchObject({ sent: false, attempts: 0 });

    const restarted = bed.startRelay(publisher, { name: 'restarted-relay' });
    await waitFor(async () => (await bed.unsent()) === 0, { what: 'the row marked sent after the restart' });
    await waitFor(() => metrics.duplicates.get('audit.parcel-moved') === 1, { what: 'the second copy recognised as a duplicate' });

    expect(handled).toEqual([message.id]); // the handler ran for the first copy only
    expect(await bed.prisma.order.count({ where: { customerId: 'p-crash' } })).toBe(1);
    expect(await bed.prisma.inboxMessage.count({ where: { messageId: message.id } })).toBe(1);
    await restarted.stop();
  });
});
