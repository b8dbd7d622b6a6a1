import type { OrderPath } from './mix';

/** What `POST /orders` takes (order-service's public API). */
export interface PlaceOrderBody {
  customerId: string;
  currency: string;
  lines: Array<{ sku: string; quantity: number; unitPriceMinor: number }>;
}

/** The end state of an order as the generator sees it (`FAILED`: saga failed-needs-attention). */
export type TerminalStatus = 'CONFIRMED' | 'REJECTED' | 'CANCELLED' | 'FAILED';

/**
 * The products the generator orders. Defaults are the seeded catalogue (prisma/inventory/seed-data.ts):
 * PEN-BLUE has the most stock (1000), POSTER-GONE none. Each success, cancel or declined order takes one
 * unit of `stockedSku` for a while (success keeps it), so a run of more than ~1000 success orders
 * against the seed data runs out and turns into out-of-stock rejections: point `stockedSku` at a
 * product with enough stock for rate × duration (the saga bench adds one with 10 million units).
 */
export interface LoadCatalog {
  stockedSku: string;
  stockedPriceMinor: number;
  soldOutSku: string;
  currency: string;
}

export const SeedCatalog: LoadCatalog = {
  stockedSku: 'PEN-BLUE',
  stockedPriceMinor: 150,
  soldOutSku: 'POSTER-GONE',
  currency: 'EUR',
};

/**
 * The request for order `index` of a run down `path`. The payment simulator decides by customer id:
 * `declined-*` is declined (after stock was reserved, which is then released), `silent-*` never answers
 * (the saga's deadline path, which takes step timeout × attempts). Customer ids carry the run id so
 * orders of different runs can be told apart in the databases.
 */
export function orderRequest(
  path: OrderPath,
  index: number,
  runId: string,
  catalog: LoadCatalog,
): PlaceOrderBody {
  const stocked = [{ sku: catalog.stockedSku, quantity: 1, unitPriceMinor: catalog.stockedPriceMinor }];
  const customer = `load-${runId}-${index}`;
  switch (path) {
    case 'success':
    case 'cancel':
      return { customerId: customer, currency: catalog.currency, lines: stocked };
    case 'out-of-stock':
      return {
        customerId: customer,
        currency: catalog.currency,
        lines: [{ sku: catalog.soldOutSku, quantity: 1, unitPriceMinor: 100 }],
      };
    case 'declined':
      return { customerId: `declined-${customer}`, currency: catalog.currency, lines: stocked };
    case 'silent':
      return { customerId: `silent-${customer}`, currency: catalog.currency, lines: stocked };
  }
}

/**
 * The end state a path must reach. A cancel is sent right after the 201; when the saga already passed
 * the point of no return (commit-stock sent) the service answers 409 and the order is confirmed, which
 * is then expected too.
 */
export function isExpectedOutcome(path: OrderPath, status: TerminalStatus, cancelAnswer?: number): boolean {
  switch (path) {
    case 'success':
      return status === 'CONFIRMED';
    case 'out-of-stock':
    case 'declined':
    case 'silent':
      return status === 'REJECTED';
    case 'cancel':
      return status === 'CANCELLED' || (cancelAnswer === 409 && status === 'CONFIRMED');
  }
}
