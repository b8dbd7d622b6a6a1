import { randomUUID } from 'node:crypto';
import {
  AuthorisePayment,
  CapturePayment,
  CommitStock,
  OrderCancelled,
  OrderConfirmed,
  OrderRejected,
  PaymentAuthorised,
  PaymentCaptured,
  PaymentDeclined,
  PaymentVoided,
  ReleaseStock,
  ReserveStock,
  StockCommitted,
  StockReleased,
  StockReserved,
  StockUnavailable,
  VoidPayment,
} from '@orderly/contracts';
import {
  cancelSaga,
  type EngineContext,
  isIgnored,
  onDeadline,
  onReply,
  type Result,
  type SagaState,
  startSaga,
} from '@orderly/saga';
import { type PlaceOrderData, PlaceOrderSaga } from './place-order.saga';

// Every path of the place-order flow through the pure engine: which messages go out, in which order,
// and how the saga ends. No broker, no database.

const orderId = randomUUID();
const data: PlaceOrderData = {
  orderId,
  customerId: 'c-1',
  lines: [{ sku: 'A', quantity: 2 }],
  total: { amountMinor: 500, currency: 'EUR' },
};
const bodies: Record<string, object> = {
  [StockReserved.type]: { reservationId: randomUUID() },
  [StockUnavailable.type]: { missing: [{ sku: 'A', requested: 2, available: 1 }] },
  [PaymentAuthorised.type]: { authorisationId: randomUUID(), amount: data.total },
  [PaymentDeclined.type]: { reason: 'insufficient funds' },
  [PaymentCaptured.type]: { captureId: randomUUID(), amount: data.total },
};

/** Drives one saga: replies to whatever it waits for, lets deadlines pass, records every message it sends. */
function drive() {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const ctx = (): EngineContext => ({
    now: new Date(now),
    newId: randomUUID,
    source: '/test',
    settings: { stepTimeoutMs: 5_000, stepMaxAttempts: 3, compensationMaxAttempts: 10 },
  });
  const sent: string[] = [];
  let state: SagaState<PlaceOrderData>;
  const take = (r: Result<PlaceOrderData>) => {
    if (isIgnored(r)) throw new Error(r.ignored);
    state = r.state;
    sent.push(...r.outgoing.map((o) => o.message.type));
  };
  take(startSaga(PlaceOrderSaga, orderId, data, ctx()));
  return {
    sent,
    state: () => state,
    reply: (type: string) =>
      take(
        onReply(
          PlaceOrderSaga,
          state,
          {
            id: randomUUID(),
            type,
            causationId: state.awaitingMessageId ?? undefined,
            data: { orderId, ...bodies[type] },
          },
          ctx(),
        ),
      ),
    silence: () => {
      now += 5_000;
      take(onDeadline(PlaceOrderSaga, state, ctx()));
    },
    cancel: () => take(cancelSaga(PlaceOrderSaga, state, 'cancelled by customer', ctx())),
  };
}

describe('PlaceOrderSaga', () => {
  it('success: reserve, authorise, commit, capture, then OrderConfirmed', () => {
    const saga = drive();
    [StockReserved, PaymentAuthorised, StockCommitted, PaymentCaptured].forEach((r) => saga.reply(r.type));
    expect(saga.sent).toEqual([
      ReserveStock.type,
      AuthorisePayment.type,
      CommitStock.type,
      CapturePayment.type,
      OrderConfirmed.type,
    ]);
    expect(saga.state().status).toBe('COMPLETED');
  });

  it('insufficient stock: rejected at once, nothing to undo, nothing charged', () => {
    const saga = drive();
    saga.reply(StockUnavailable.type);
    expect(saga.sent).toEqual([ReserveStock.type, OrderRejected.type]);
    expect(saga.state()).toMatchObject({ status: 'COMPENSATED', reason: 'insufficient stock' });
  });

  it('payment declined: stock released, rejected with the gateway reason', () => {
    const saga = drive();
    saga.reply(StockReserved.type);
    saga.reply(PaymentDeclined.type);
    saga.reply(StockReleased.type);
    expect(saga.sent).toEqual([
      ReserveStock.type,
      AuthorisePayment.type,
      ReleaseStock.type,
      OrderRejected.type,
    ]);
    expect(saga.state()).toMatchObject({
      status: 'COMPENSATED',
      reason: 'payment declined: insufficient funds',
    });
  });

  it('payment silent: authorise sent 3 times, then void and release, rejected "payment timed out"', () => {
    const saga = drive();
    saga.reply(StockReserved.type);
    saga.silence();
    saga.silence();
    saga.silence();
    saga.reply(PaymentVoided.type);
    saga.reply(StockReleased.type);
    expect(saga.sent).toEqual([
      ReserveStock.type,
      AuthorisePayment.type,
      AuthorisePayment.type,
      AuthorisePayment.type,
      VoidPayment.type,
      ReleaseStock.type,
      OrderRejected.type,
    ]);
    expect(saga.state()).toMatchObject({ status: 'COMPENSATED', reason: 'payment timed out' });
  });

  it('cancelled while authorising: void, release, OrderCancelled', () => {
    const saga = drive();
    saga.reply(StockReserved.type);
    saga.cancel();
    saga.reply(PaymentVoided.type);
    saga.reply(StockReleased.type);
    expect(saga.sent).toEqual([
      ReserveStock.type,
      AuthorisePayment.type,
      VoidPayment.type,
      ReleaseStock.type,
      OrderCancelled.type,
    ]);
    expect(saga.state()).toMatchObject({ status: 'COMPENSATED', cancelled: true });
  });

  it('cannot be cancelled once the stock is being committed', () => {
    const saga = drive();
    saga.reply(StockReserved.type);
    saga.reply(PaymentAuthorised.type);
    expect(() => saga.cancel()).toThrow(/point of no return/);
  });
});
