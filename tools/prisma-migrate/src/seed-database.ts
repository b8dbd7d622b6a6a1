import { existsSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { defaultPrismaDir, serviceDatabase } from './service-databases';

/** What a seed script gets: a connection inside the seed's transaction (a `pg` Client). */
export interface SeedConnection {
  query(text: string, values?: unknown[]): Promise<{ rowCount: number | null }>;
}

export interface SeedReport {
  /** One line for the console, e.g. `5 products added (…)`. */
  summary: string;
}

/** The module `prisma/<service>/seed.ts` is: `export async function seed(db) { … }`. */
interface SeedScript {
  seed(db: SeedConnection): Promise<SeedReport>;
}

export interface SeedDatabaseOptions {
  /** The repository's `prisma/` folder (tests point it at a copy). */
  prismaDir?: string;
}

/**
 * Runs a service's seed script, `prisma/<service>/seed.ts` (`export async function seed(db)`), against
 * its migrated database, in one transaction: it applies completely or not at all. What "seeding" means
 * is the script's: inventory's adds the products that are missing and never resets stock. Run it after
 * `applyMigrations`; a service without a seed script is an error (nothing would be seeded silently).
 */
export async function seedDatabase(service: string, url: string, options: SeedDatabaseOptions = {}): Promise<SeedReport> {
  const db = serviceDatabase(service, options.prismaDir ?? defaultPrismaDir());
  const file = path.join(db.dir, 'seed.ts');
  if (!existsSync(file)) throw new Error(`prisma-migrate: ${service} has no seed script (${file})`);
  // A runtime path, loaded by the TypeScript loader this process runs under (swc-node or jest's swc).
  const script = (await import(file)) as SeedScript;
  if (typeof script.seed !== 'function') throw new Error(`prisma-migrate: ${file} exports no seed(db) function`);
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN');
    const report = await script.seed(client);
    await client.query('COMMIT');
    return report;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}
