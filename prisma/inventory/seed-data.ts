// The products inventory-service's database is seeded with (`npm run db -- seed --service inventory`).
// The demo's sample orders and the end-to-end tests are written against this list: import it rather
// than repeating SKUs or quantities. Each product is chosen for one path of the place-order flow.

export interface SeedProduct {
  sku: string;
  name: string;
  /** Unit price in minor units (cents) of `currency`. */
  priceMinor: number;
  currency: string;
  /** Units on hand when seeded: `available` starts here, `reserved` and `sold` at 0. */
  stock: number;
}

export const SeedProducts = {
  /** Plenty of stock: the success path, and many orders at once without running out. */
  pen: { sku: 'PEN-BLUE', name: 'Blue ballpoint pen', priceMinor: 150, currency: 'EUR', stock: 1000 },
  /** A few dozen: several orders succeed before it runs out. */
  book: { sku: 'BOOK-DDD', name: 'Domain-Driven Design (hardcover)', priceMinor: 5490, currency: 'EUR', stock: 25 },
  /** One unit: concurrent orders compete for it; exactly one may get it. */
  lamp: { sku: 'LAMP-LAST', name: 'Desk lamp (last one in stock)', priceMinor: 3900, currency: 'EUR', stock: 1 },
  /** Never in stock: any order naming it is rejected as insufficient stock. */
  poster: { sku: 'POSTER-GONE', name: 'Sold-out tour poster', priceMinor: 1500, currency: 'EUR', stock: 0 },
  /**
   * Expensive: 3 of them (7,497.00 EUR) exceed the payment simulator's 5,000.00 EUR limit, so the
   * payment is declined ('amount over limit') after the stock was reserved, which is then released.
   */
  laptop: { sku: 'LAPTOP-PRO', name: 'Laptop Pro 14"', priceMinor: 249_900, currency: 'EUR', stock: 50 },
} as const satisfies Record<string, SeedProduct>;

/** The seed list in SKU order. */
export const SeedProductList: readonly SeedProduct[] = Object.values(SeedProducts).sort((a, b) => a.sku.localeCompare(b.sku));
