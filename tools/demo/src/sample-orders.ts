import { AuthorisePayment } from '@orderly/contracts';
import type { OrderStatus, OrderView, PlaceOrderRequest, ProductView } from '@orderly/local-stack';

/** One order the demo places, the saga path it exercises, and the outcome it must reach. */
export interface SampleOrder {
  name: string;
  /** What happens, in a customer's words. */
  story: string;
  request(catalogue: readonly ProductView[]): PlaceOrderRequest;
  expected: OrderStatus;
  /** The customer cancels once the saga has sent this message (so the saga is mid-flight). */
  cancelAfterSent?: string;
  /** A further check of the final order; answers what is wrong, or nothing. */
  check?(order: OrderView): string | undefined;
}

const line = (product: ProductView, quantity: number) => ({
  sku: product.sku,
  quantity,
  unitPriceMinor: product.priceMinor,
});

/** The two products with the most stock: the samples must not depend on the seed's order. */
function inStock(catalogue: readonly ProductView[]): [ProductView, ProductView] {
  const [first, second] = catalogue.filter((p) => p.available >= 2).sort((a, b) => b.available - a.available);
  if (!first || !second) throw new Error('the demo needs two products with stock: is the inventory seeded?');
  return [first, second];
}

const sentCount = (order: OrderView, type: string) =>
  order.saga?.timeline.filter((e) => e.direction === 'sent' && e.messageType === type).length ?? 0;

// The payment simulator's rules (apps/payment-service): customers `declined-*` are declined, and the
// gateway never answers for customers `silent-*`, so the saga's deadline fires.
export const SampleOrders: readonly SampleOrder[] = [
  {
    name: 'success',
    story: 'stock reserved, payment authorised, order confirmed, stock committed, payment captured',
    request: (catalogue) => {
      const [first, second] = inStock(catalogue);
      return { customerId: 'ada', currency: 'EUR', lines: [line(first, 1), line(second, 1)] };
    },
    expected: 'CONFIRMED',
  },
  {
    name: 'out of stock',
    story: 'asks for more than the warehouse holds: rejected, nothing charged',
    request: (catalogue) => {
      // The product with the least stock (the seed has a sold-out poster), one more than is left.
      const scarce = [...catalogue].sort((a, b) => a.available - b.available)[0];
      if (!scarce) throw new Error('the catalogue is empty: is the inventory seeded?');
      return { customerId: 'grace', currency: 'EUR', lines: [line(scarce, scarce.available + 1)] };
    },
    expected: 'REJECTED',
    check: (order) =>
      sentCount(order, AuthorisePayment.type) === 0
        ? undefined
        : 'payment was asked for an unreservable order',
  },
  {
    name: 'payment declined',
    story: 'the card is declined: reserved stock released, order rejected',
    request: (catalogue) => ({
      customerId: 'declined-linus',
      currency: 'EUR',
      lines: [line(inStock(catalogue)[0], 1)],
    }),
    expected: 'REJECTED',
  },
  {
    name: 'payment timeout',
    story: 'the payment service never answers: authorisation re-sent up to the limit, then compensated',
    request: (catalogue) => ({
      customerId: 'silent-barbara',
      currency: 'EUR',
      lines: [line(inStock(catalogue)[1], 1)],
    }),
    expected: 'REJECTED',
    check: (order) =>
      sentCount(order, AuthorisePayment.type) > 1 ? undefined : 'the authorisation was never re-sent',
  },
  {
    name: 'customer cancels',
    story: 'the customer cancels while the payment is pending: stock released, order cancelled',
    // A `silent-*` customer keeps the saga waiting for the payment, so the cancel always lands mid-flight.
    request: (catalogue) => ({
      customerId: 'silent-margaret',
      currency: 'EUR',
      lines: [line(inStock(catalogue)[0], 1)],
    }),
    expected: 'CANCELLED',
    cancelAfterSent: AuthorisePayment.type,
  },
];
