import { Global, Module } from '@nestjs/common';
import { OUTBOX_HOOKS, type OutboxHooks, type OutboxPublication } from './outbox-hooks';
import { OutboxWriter } from './outbox-writer';
import { OutboxTestBed, RecordingMetrics, parcelsOf, waitFor } from './test-support/outbox-test-bed';
import { ParcelMoved, ShopQueues, parcelMoved } from './test-support/shop-topology';

const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const publications: OutboxPublication[] = [];

/** What the observability wiring will provide: the writer's trace context, a span around each publish. */
const tracing: OutboxHooks = {
  currentTraceContext: () => ({ traceparent }),
  aroundPublish: async (publication, publish) => {
    publications.push(publication);
    return publish();
  },
};

@Global()
@Module({ providers: [{ provide: OUTBOX_HOOKS, useValue: tracing }], exports: [OUTBOX_HOOKS] })
class TracingModule {}

describe('OutboxModule', () => {
  let bed: OutboxTestBed;
  beforeAll(async () => (bed = await OutboxTestBed.create('outbox_module')));
  afterAll(() => bed?.dispose());

  it('runs a relay from application start to shutdown that publishes what the injected writer committed', async () => {
    const metrics = new RecordingMetrics();
    const app = await bed.service({ outbox: { relayName: 'shop-service' }, metrics, modules: [TracingModule] });
    const writer = app.get(OutboxWriter);
    const message = parcelMoved('p-module', 0);
    await bed.prisma.$transaction(async (tx) => writer.add(tx, ParcelMoved, message));

    await waitFor(async () => (await bed.unsent()) === 0, { what: 'the row sent by the module relay' });
    const [delivered] = await bed.takeAll(ShopQueues.events);
    expect(parcelsOf([delivered])[0].id).toBe(message.id);
    expect(delivered.properties.headers?.traceparent).toBe(traceparent);
    expect(publications).toEqual([
      { messageId: message.id, type: ParcelMoved.type, exchange: ParcelMoved.exchange, routingKey: ParcelMoved.type, correlationId: message.correlationId, traceContext: { traceparent } },
    ]);
    expect(metrics.publishedTotal).toBe(1);

    await app.close(); // stops the relay before messaging closes its client
    await bed.commit([parcelMoved('p-module', 1)]);
    expect(await bed.unsent()).toBe(1);
  });
});
