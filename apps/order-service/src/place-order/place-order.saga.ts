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
  type Money,
  type OrderLine,
} from '@orderly/contracts';
import { defineSaga, emit, next, reject, send, step } from '@orderly/saga';

export interface PlaceOrderData {
  orderId: string;
  customerId: string;
  lines: OrderLine[];
  total: Money;
}

/**
 * The place-order flow. Steps run in order; a refusal compensates the steps before it, a step silent
 * past its deadline (re-sent up to the limit) is compensated too, in reverse order. Commit and capture
 * have no compensation: once stock is committed the order is confirmed, and they are retried instead.
 */
export const PlaceOrderSaga = defineSaga<PlaceOrderData>({
  name: 'place-order',
  steps: [
    step('reserve-stock', {
      send: send(ReserveStock, (o) => ({ orderId: o.orderId, lines: o.lines })),
      replies: {
        [StockReserved.type]: next,
        [StockUnavailable.type]: reject(StockUnavailable, () => 'insufficient stock'),
      },
      compensate: {
        send: send(ReleaseStock, (o, reason) => ({ orderId: o.orderId, reason })),
        done: [StockReleased],
      },
      timedOut: 'stock reservation timed out',
    }),
    step('authorise-payment', {
      send: send(AuthorisePayment, (o) => ({
        orderId: o.orderId,
        customerId: o.customerId,
        amount: o.total,
      })),
      replies: {
        [PaymentAuthorised.type]: next,
        [PaymentDeclined.type]: reject(PaymentDeclined, (r) => `payment declined: ${r.data.reason}`),
      },
      compensate: {
        send: send(VoidPayment, (o, reason) => ({ orderId: o.orderId, reason })),
        done: [PaymentVoided],
      },
      timedOut: 'payment timed out',
    }),
    step('commit-stock', {
      send: send(CommitStock, (o) => ({ orderId: o.orderId })),
      replies: { [StockCommitted.type]: next },
    }),
    step('capture-payment', {
      send: send(CapturePayment, (o) => ({ orderId: o.orderId })),
      replies: { [PaymentCaptured.type]: next },
    }),
  ],
  completed: (o) => [emit(OrderConfirmed, { orderId: o.orderId, customerId: o.customerId, total: o.total })],
  compensated: (o, end) => [
    end.cancelled
      ? emit(OrderCancelled, { orderId: o.orderId, customerId: o.customerId, reason: end.reason })
      : emit(OrderRejected, { orderId: o.orderId, customerId: o.customerId, reason: end.reason }),
  ],
});
