import { text, workspaceTree } from '../../test-support/workspace-tree';
import { parseSteps, sagaGenerator } from './saga.generator';

describe('saga generator', () => {
  const tree = () => {
    const t = workspaceTree();
    t.write('apps/order-service/src/main.ts', '');
    return t;
  };

  it('declares one step per command with its reply and compensation, and a test of its paths', () => {
    const t = tree();
    sagaGenerator(t, {
      service: 'order-service',
      name: 'fulfil-order',
      steps: 'ReserveStock:StockReserved:ReleaseStock:StockReleased, CommitStock:StockCommitted',
    });
    const saga = text(t, 'apps/order-service/src/fulfil-order/fulfil-order.saga.ts');
    expect(saga).toContain(
      "import { CommitStock, ReleaseStock, ReserveStock, StockCommitted, StockReleased, StockReserved } from '@orderly/contracts';",
    );
    expect(saga).toContain(
      "export const FulfilOrderSaga = defineSaga<FulfilOrderData>({\n  name: 'fulfil-order',",
    );
    expect(saga).toContain(
      "step('reserve-stock', {\n      send: send(ReserveStock, (s) => ({ orderId: s.orderId })),\n      replies: { [StockReserved.type]: next },\n      compensate: {",
    );
    expect(saga).toContain("done: [StockReleased],\n      },\n      timedOut: 'reserve-stock timed out',");
    expect(saga).toContain(
      "step('commit-stock', {\n      send: send(CommitStock, (s) => ({ orderId: s.orderId })),\n      replies: { [StockCommitted.type]: next },\n    }),",
    );
    const spec = text(t, 'apps/order-service/src/fulfil-order/fulfil-order.saga.spec.ts');
    expect(spec).toContain('expect(saga.sent).toEqual([ReserveStock.type, CommitStock.type]);');
    expect(spec).toContain(
      "expect(saga.state()).toMatchObject({ status: 'COMPENSATED', reason: 'reserve-stock timed out' });",
    );
  });

  it('refuses contracts that @orderly/contracts does not export, and malformed steps', () => {
    expect(() =>
      sagaGenerator(tree(), { service: 'order-service', name: 'ship', steps: 'ShipOrder:OrderShipped' }),
    ).toThrow(/exports no ShipOrder, OrderShipped: generate them first/);
    expect(() => parseSteps('ShipOrder')).toThrow(/must be Command:Reply/);
    expect(() => parseSteps('')).toThrow(/at least one step/);
    expect(() => parseSteps('ShipOrder:OrderShipped,ShipOrder:OrderShipped')).toThrow(
      /ShipOrder is the command of two steps/,
    );
  });
});
