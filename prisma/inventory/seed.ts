// Seeds inventory-service's database with the products of seed-data.ts. Run by
// `npm run db -- seed --service inventory` (tools/prisma-migrate), after the migrations.
// Imported as `@orderly/inventory-seed` (tsconfig.base.json) by tests and tools that need the list.
import { SeedProductList } from './seed-data';

export { SeedProductList, SeedProducts } from './seed-data';
export type { SeedProduct } from './seed-data';

/** A connection inside the transaction tools/prisma-migrate opens (a `pg` Client fits). */
export interface SeedConnection {
  query(text: string, values?: unknown[]): Promise<{ rowCount: number | null }>;
}

/**
 * Inserts the seed products that are missing and leaves existing ones alone: their counters record
 * real orders, and resetting them would break `available + reserved + sold = stock`. Safe to run again.
 */
export async function seed(db: SeedConnection): Promise<{ summary: string }> {
  const inserted: string[] = [];
  for (const product of SeedProductList) {
    const result = await db.query(
      `INSERT INTO product (sku, name, price_minor, currency, available, reserved, sold, updated_at)
       VALUES ($1, $2, $3, $4, $5, 0, 0, now()) ON CONFLICT (sku) DO NOTHING`,
      [product.sku, product.name, product.priceMinor, product.currency, product.stock],
    );
    if (result.rowCount === 1) inserted.push(product.sku);
  }
  const kept = SeedProductList.length - inserted.length;
  return { summary: `${inserted.length} products added${inserted.length ? ` (${inserted.join(', ')})` : ''}, ${kept} already present` };
}
