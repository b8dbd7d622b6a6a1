import { countLedger, type LedgerInput } from './fault-ledger';

// The ledger is the suite's judge: a counter that always says 0 would let every fault run pass. Each
// test breaks one invariant in an otherwise consistent end state and expects exactly that count.

const confirmedId = '00000000-0000-4000-8000-000000000001';
const rejectedId = '00000000-0000-4000-8000-000000000002';

function consistent(): LedgerInput {
  const request = (sku: string, quantity: number) => ({
    customerId: 'c',
    currency: 'EUR',
    lines: [{ sku, quantity, unitPriceMinor: 100 }],
  });
  return {
    placed: [
      { id: confirmedId, request: request('A', 2), sentAt: 0, ackedAt: 1, attempts: 1 },
      { id: rejectedId, request: request('A', 1), sentAt: 0, ackedAt: 1, attempts: 2 },
    ],
    refused: [],
    initialStock: new Map([['A', 10]]),
    orders: [
      {
        id: confirmedId,
        status: 'CONFIRMED',
        totalMinor: 200,
        sagaStatus: 'COMPLETED',
        startedAt: new Date(0),
        endedAt: new Date(900),
      },
      {
        id: rejectedId,
        status: 'REJECTED',
        totalMinor: 100,
        sagaStatus: 'COMPENSATED',
        startedAt: new Date(0),
        endedAt: new Date(500),
      },
    ],
    products: [{ sku: 'A', available: 8, reserved: 0, sold: 2 }],
    reservations: [
      { orderId: confirmedId, status: 'COMMITTED' },
      { orderId: rejectedId, status: 'RELEASED' },
    ],
    payments: [
      { orderId: confirmedId, status: 'CAPTURED', amountMinor: 200, captureId: 'cap-1' },
      { orderId: rejectedId, status: 'DECLINED', amountMinor: 100, captureId: null },
    ],
    notifications: [
      { orderId: confirmedId, template: 'order-confirmed' },
      { orderId: rejectedId, template: 'order-rejected' },
    ],
    unsentOutbox: [{ service: 'order', unsent: 0 }],
    workQueues: { 'inventory-service.commands': 0 },
    deadLetters: [
      { queue: 'x.dlq', messageId: 'poison-1', errorType: 'InvalidMessageError', errorMessage: 'bad' },
    ],
    poisonIds: ['poison-1'],
  };
}

const counts = (input: LedgerInput) => {
  const { lost, duplicated, unexpected, detail } = countLedger(input);
  return { lost, duplicated, unexpected, detail };
};

describe('fault ledger', () => {
  it('counts nothing in a consistent end state, and reports outcomes and the longest saga', () => {
    const ledger = countLedger(consistent());
    expect({ lost: ledger.lost, duplicated: ledger.duplicated, unexpected: ledger.unexpected }).toEqual({
      lost: 0,
      duplicated: 0,
      unexpected: 0,
    });
    expect(ledger.outcomes).toEqual({ CONFIRMED: 1, REJECTED: 1 });
    expect(ledger.maxSagaMs).toBe(900);
  });

  it('counts as lost: a missing notification, an unpublished outbox row, a stranded message, a saga still running', () => {
    const input = consistent();
    input.notifications = input.notifications.filter((n) => n.orderId !== confirmedId);
    input.unsentOutbox = [{ service: 'order', unsent: 3 }];
    input.workQueues = { 'inventory-service.commands': 2 };
    input.orders = input.orders.map((o) =>
      o.id === rejectedId ? { ...o, status: 'PENDING', sagaStatus: 'RUNNING' } : o,
    );
    expect(counts(input).detail.lost).toEqual({
      'notification missing': 1,
      'saga not terminal': 1,
      'outbox row never published': 3,
      'message stranded in a work queue': 2,
    });
  });

  it('counts as duplicated: stock sold twice, an order nobody acknowledged', () => {
    const input = consistent();
    input.products = [{ sku: 'A', available: 6, reserved: 0, sold: 4 }];
    input.orders = [...input.orders, { ...(input.orders[0] as LedgerInput['orders'][number]), id: 'extra' }];
    expect(counts(input)).toMatchObject({
      lost: 0,
      duplicated: 3,
      detail: { duplicated: { 'stock sold twice': 2, 'order created twice (or never acknowledged)': 1 } },
    });
  });

  it('counts stock that vanished as lost, and stock that appeared as duplicated', () => {
    const input = consistent();
    input.products = [{ sku: 'A', available: 7, reserved: 0, sold: 2 }];
    expect(counts(input).detail.lost).toEqual({ 'stock units vanished': 1 });
    input.products = [{ sku: 'A', available: 9, reserved: 0, sold: 2 }];
    expect(counts(input).detail.duplicated).toEqual({ 'stock units created': 1 });
  });

  it('counts as unexpected: money held or taken for a rejected order, stock left reserved, a stray dead letter', () => {
    const input = consistent();
    input.payments = [
      input.payments[0] as LedgerInput['payments'][number],
      { orderId: rejectedId, status: 'AUTHORISED', amountMinor: 100, captureId: null },
    ];
    input.products = [{ sku: 'A', available: 7, reserved: 1, sold: 2 }];
    input.deadLetters = [
      ...input.deadLetters,
      { queue: 'y.dlq', messageId: 'real-1', errorType: 'X', errorMessage: 'y' },
    ];
    expect(counts(input).detail.unexpected).toEqual({
      'rejected order with an open authorisation': 1,
      'stock still reserved at the end': 1,
      'dead letter nobody injected': 1,
    });
  });

  it('counts a confirmed order without its capture as lost, and a poison message that was not parked', () => {
    const input = consistent();
    input.payments = input.payments.filter((p) => p.orderId !== confirmedId);
    input.deadLetters = [];
    expect(counts(input).detail.lost).toEqual({
      'confirmed order without capture': 1,
      'poison message not in a DLQ': 1,
    });
  });
});
