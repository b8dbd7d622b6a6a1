import type { DeadLetter } from './broker-operator';
import type {
  NotificationLedgerRow,
  OrderLedgerRow,
  PaymentLedgerRow,
  ProductLedgerRow,
  ReservationLedgerRow,
  UnsentOutbox,
} from './fault-databases';
import type { PlacedOrder } from './order-stream';

/**
 * Jepsen-style counts over the whole run: what the clients were told (acknowledged orders) against
 * what the services' databases and the broker hold at the end.
 * - lost: an acknowledged effect that is missing (an order, a saga that never ended, an outbox row
 *   never published, a message stranded in a queue, a notification never sent, a unit of stock that
 *   vanished, a capture missing, a poison message not parked);
 * - duplicated: an effect applied more than once (an order created twice, a second notification,
 *   stock sold twice, a payment taken twice);
 * - unexpected: a state no correct run can produce (money held or taken for a rejected order, stock
 *   still reserved, a dead letter nobody injected, a valid request refused);
 * - recovered: faults after which every saga they touched ended within the bound.
 */
export interface LedgerCounts {
  orders: number;
  outcomes: Record<string, number>;
  lost: number;
  duplicated: number;
  unexpected: number;
  /** Each count by kind, for the JSON report. */
  detail: Record<'lost' | 'duplicated' | 'unexpected', Record<string, number>>;
  /** Longest time from an order's POST to its saga's end, in ms. */
  maxSagaMs: number;
  /** Human-readable violations (first ones), for the failure message. */
  violations: string[];
}

export interface LedgerInput {
  placed: readonly PlacedOrder[];
  refused: readonly string[];
  initialStock: ReadonlyMap<string, number>;
  orders: readonly OrderLedgerRow[];
  products: readonly ProductLedgerRow[];
  reservations: readonly ReservationLedgerRow[];
  payments: readonly PaymentLedgerRow[];
  notifications: readonly NotificationLedgerRow[];
  unsentOutbox: readonly UnsentOutbox[];
  /** Messages still in each work queue at the end. */
  workQueues: Readonly<Record<string, number>>;
  deadLetters: readonly DeadLetter[];
  poisonIds: readonly string[];
}

const TemplateOf: Record<string, string> = {
  CONFIRMED: 'order-confirmed',
  REJECTED: 'order-rejected',
  CANCELLED: 'order-cancelled',
};
const TerminalSagas = ['COMPLETED', 'COMPENSATED'];

export function countLedger(input: LedgerInput): LedgerCounts {
  const detail: LedgerCounts['detail'] = { lost: {}, duplicated: {}, unexpected: {} };
  const violations: string[] = [];
  const count = (kind: keyof LedgerCounts['detail'], what: string, n: number, example?: string) => {
    if (n <= 0) return;
    detail[kind][what] = (detail[kind][what] ?? 0) + n;
    if (example && violations.length < 30) violations.push(`${kind}: ${what}: ${example}`);
  };
  const byOrder = <T extends { orderId: string }>(rows: readonly T[]) => {
    const map = new Map<string, T[]>();
    for (const row of rows) map.set(row.orderId, [...(map.get(row.orderId) ?? []), row]);
    return map;
  };
  const orderRows = new Map(input.orders.map((o) => [o.id, o]));
  const payments = byOrder(input.payments);
  const reservations = byOrder(input.reservations);
  const notifications = byOrder(input.notifications);
  const placedIds = new Set(input.placed.map((o) => o.id));

  const outcomes: Record<string, number> = {};
  const soldExpected = new Map<string, number>();
  let maxSagaMs = 0;
  for (const placed of input.placed) {
    const order = orderRows.get(placed.id);
    if (!order) {
      count('lost', 'acknowledged order missing', 1, placed.id);
      continue;
    }
    outcomes[order.status] = (outcomes[order.status] ?? 0) + 1;
    if (order.status === 'PENDING' || !order.sagaStatus || !TerminalSagas.includes(order.sagaStatus)) {
      if (order.sagaStatus === 'FAILED') count('unexpected', 'saga FAILED (needs an operator)', 1, order.id);
      else count('lost', 'saga not terminal', 1, `${order.id} ${order.status}/${order.sagaStatus}`);
      continue;
    }
    if (order.endedAt) maxSagaMs = Math.max(maxSagaMs, new Date(order.endedAt).getTime() - placed.sentAt);

    const orderPayments = payments.get(order.id) ?? [];
    const captured = orderPayments.filter((p) => p.status === 'CAPTURED');
    const reservation = reservations.get(order.id)?.[0];
    if (order.status === 'CONFIRMED') {
      for (const line of placed.request.lines) {
        soldExpected.set(line.sku, (soldExpected.get(line.sku) ?? 0) + line.quantity);
      }
      if (captured.length === 0) count('lost', 'confirmed order without capture', 1, order.id);
      count('duplicated', 'payment taken more than once', orderPayments.length - 1, order.id);
      for (const payment of captured) {
        if (payment.amountMinor !== order.totalMinor || !payment.captureId) {
          count(
            'unexpected',
            'capture of the wrong amount',
            1,
            `${order.id}: ${payment.amountMinor} ≠ ${order.totalMinor}`,
          );
        }
      }
      if (reservation?.status !== 'COMMITTED') {
        count(
          'unexpected',
          'confirmed order whose stock is not committed',
          1,
          `${order.id}: ${reservation?.status}`,
        );
      }
    } else {
      count('unexpected', 'rejected order with a capture', captured.length, order.id);
      const open = orderPayments.filter((p) => p.status === 'AUTHORISED').length;
      count('unexpected', 'rejected order with an open authorisation', open, order.id);
      if (reservation && (reservation.status === 'HELD' || reservation.status === 'COMMITTED')) {
        count('unexpected', 'rejected order still holding stock', 1, `${order.id}: ${reservation.status}`);
      }
    }

    const told = notifications.get(order.id) ?? [];
    const expected = TemplateOf[order.status];
    const matching = told.filter((n) => n.template === expected).length;
    if (matching === 0) count('lost', 'notification missing', 1, `${order.id} (${expected})`);
    count('duplicated', 'notification sent twice', matching - 1, order.id);
    count('unexpected', 'notification of another outcome', told.length - matching, order.id);
  }
  const extraOrders = input.orders.filter((o) => !placedIds.has(o.id));
  count('duplicated', 'order created twice (or never acknowledged)', extraOrders.length, extraOrders[0]?.id);

  for (const product of input.products) {
    const initial = input.initialStock.get(product.sku) ?? 0;
    const total = product.available + product.reserved + product.sold;
    const example = `${product.sku}: ${product.available}+${product.reserved}+${product.sold} vs ${initial}`;
    count('lost', 'stock units vanished', initial - total, example);
    count('duplicated', 'stock units created', total - initial, example);
    const sold = soldExpected.get(product.sku) ?? 0;
    count(
      'duplicated',
      'stock sold twice',
      product.sold - sold,
      `${product.sku}: sold ${product.sold}, confirmed ${sold}`,
    );
    count(
      'lost',
      'sale not recorded',
      sold - product.sold,
      `${product.sku}: sold ${product.sold}, confirmed ${sold}`,
    );
    count('unexpected', 'stock still reserved at the end', product.reserved, product.sku);
  }

  for (const { service, unsent } of input.unsentOutbox) {
    count('lost', 'outbox row never published', unsent, `${service}: ${unsent}`);
  }
  for (const [queue, depth] of Object.entries(input.workQueues)) {
    count('lost', 'message stranded in a work queue', depth, `${queue}: ${depth}`);
  }
  const poison = new Set(input.poisonIds);
  const parked = new Set(input.deadLetters.map((d) => d.messageId));
  for (const id of poison) if (!parked.has(id)) count('lost', 'poison message not in a DLQ', 1, id);
  for (const letter of input.deadLetters) {
    if (!letter.messageId || !poison.has(letter.messageId)) {
      count(
        'unexpected',
        'dead letter nobody injected',
        1,
        `${letter.queue} ${letter.messageId}: ${String(letter.errorMessage)}`,
      );
    }
  }
  count('unexpected', 'valid request refused', input.refused.length, input.refused[0]);

  const sum = (kind: keyof LedgerCounts['detail']) => Object.values(detail[kind]).reduce((a, b) => a + b, 0);
  return {
    orders: input.placed.length,
    outcomes,
    lost: sum('lost'),
    duplicated: sum('duplicated'),
    unexpected: sum('unexpected'),
    detail,
    maxSagaMs,
    violations,
  };
}
