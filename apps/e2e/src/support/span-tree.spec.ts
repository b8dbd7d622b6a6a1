import {
  AuthorisePayment,
  Exchanges,
  OrderPlaced,
  Queues,
  ReserveStock,
  Services,
  StockReserved,
} from '@orderly/contracts';
import type { ReceivedSpan } from '@orderly/testing';
import { hop, renderSpanTree, spanChain } from './span-tree';

const span = (
  spanId: string,
  parentSpanId: string | undefined,
  service: string,
  name: string,
  kind: number,
  attributes: Record<string, unknown> = {},
): ReceivedSpan => ({
  service,
  resource: {},
  traceId: 't'.repeat(32),
  spanId,
  parentSpanId,
  name,
  kind,
  attributes,
});

const query = (spanId: string, parentSpanId: string, service: string) =>
  span(spanId, parentSpanId, service, 'pg.query:INSERT db', 3, { 'db.system': 'postgresql' });

describe('renderSpanTree', () => {
  it('indents children under their parent, folds queries into one line, and sorts siblings by text', () => {
    const spans = [
      span('p1', 'r', Services.order, `publish ${Exchanges.orderEvents}`, 4, {
        'cloudevents.event.type': OrderPlaced.type,
      }),
      query('q1', 'r', Services.order),
      query('q2', 'r', Services.order),
      span('r', undefined, Services.order, 'POST /orders', 2),
      span('p2', 'r', Services.order, `publish ${Exchanges.inventoryCommands}`, 4),
    ];
    expect(renderSpanTree(spans)).toEqual([
      `${Services.order}: POST /orders (server)`,
      `  ${Services.order}: database`,
      `  ${Services.order}: publish ${Exchanges.inventoryCommands} (producer)`,
      `  ${Services.order}: publish ${Exchanges.orderEvents} (producer, ${OrderPlaced.type})`,
    ]);
  });

  it('draws a span whose parent was not received as a root of its own, marked as an orphan', () => {
    const spans = [
      span('r', undefined, Services.order, 'POST /orders', 2),
      span('c', 'lost', Services.inventory, `process ${Queues.inventoryCommands}`, 5),
    ];
    expect(renderSpanTree(spans)).toEqual([
      `${Services.inventory}: process ${Queues.inventoryCommands} (consumer) (orphan)`,
      `${Services.order}: POST /orders (server)`,
    ]);
  });
});

describe('spanChain', () => {
  it('draws each message as a publish in the sender holding the process span of the receiver', () => {
    expect(
      spanChain({ service: Services.order, span: 'POST /orders (server)', alsoPublishes: [OrderPlaced] }, [
        hop(ReserveStock, Services.order, Services.inventory),
        hop(StockReserved, Services.inventory, Services.order),
      ]),
    ).toEqual([
      `${Services.order}: POST /orders (server)`,
      `  ${Services.order}: database`,
      `  ${Services.order}: publish ${Exchanges.inventoryCommands} (producer, ${ReserveStock.type})`,
      `    ${Services.inventory}: process ${Queues.inventoryCommands} (consumer, ${ReserveStock.type})`,
      `      ${Services.inventory}: database`,
      `      ${Services.inventory}: publish ${Exchanges.orderReplies} (producer, ${StockReserved.type})`,
      `        ${Services.order}: process ${Queues.orderSagaReplies} (consumer, ${StockReserved.type})`,
      `          ${Services.order}: database`,
      `  ${Services.order}: publish ${Exchanges.orderEvents} (producer, ${OrderPlaced.type})`,
    ]);
  });

  it('refuses a message that the topology does not route to the receiver', () => {
    expect(() =>
      spanChain({ service: Services.order, span: 'POST /orders (server)' }, [
        hop(AuthorisePayment, Services.order, Services.inventory),
      ]),
    ).toThrow(`the topology binds ${AuthorisePayment.type} to no queue of ${Services.inventory}`);
  });
});
