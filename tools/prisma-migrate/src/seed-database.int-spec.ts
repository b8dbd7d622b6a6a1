import { Client } from 'pg';
import { SeedProductList } from '@orderly/inventory-seed';
import { applyMigrations } from './apply-migrations';
import { seedDatabase } from './seed-database';
import { createScratchDatabase, type ScratchDatabase } from './test-database';

describe('seedDatabase', () => {
  let db: ScratchDatabase;
  let sql: Client;
  beforeAll(async () => {
    db = await createScratchDatabase('seed');
    await applyMigrations('inventory', db.url);
    sql = new Client({ connectionString: db.url });
    await sql.connect();
  });
  afterAll(async () => {
    await sql?.end();
    await db?.dispose();
  });

  it('adds the seed products with their stock, all available', async () => {
    const report = await seedDatabase('inventory', db.url);
    expect(report.summary).toMatch(new RegExp(`^${SeedProductList.length} products added`));
    const { rows } = await sql.query('SELECT sku, name, price_minor, currency, available, reserved, sold FROM product ORDER BY sku');
    expect(rows).toEqual(
      SeedProductList.map((p) => ({
        sku: p.sku,
        name: p.name,
        price_minor: p.priceMinor,
        currency: p.currency,
        available: p.stock,
        reserved: 0,
        sold: 0,
      })),
    );
  });

  it('leaves existing products alone when run again (their counters record real orders)', async () => {
    const [first] = SeedProductList;
    await sql.query('UPDATE product SET available = available - 1, sold = sold + 1 WHERE sku = $1', [first.sku]);
    const report = await seedDatabase('inventory', db.url);
    expect(report.summary).toBe(`0 products added, ${SeedProductList.length} already present`);
    const { rows } = await sql.query('SELECT available, sold FROM product WHERE sku = $1', [first.sku]);
    expect(rows[0]).toEqual({ available: first.stock - 1, sold: 1 });
  });

  it('refuses a service without a seed script', async () => {
    await expect(seedDatabase('payment', db.url)).rejects.toThrow(/payment has no seed script/);
  });
});
