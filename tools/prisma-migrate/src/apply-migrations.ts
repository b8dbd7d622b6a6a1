import { readMigrations } from './migrations-directory';
import { runSchemaEngine } from './schema-engine';
import { defaultPrismaDir, readSchemaFiles, serviceDatabase } from './service-databases';

export interface ApplyMigrationsOptions {
  /** The repository's `prisma/` folder (tests point it at a copy). */
  prismaDir?: string;
}

/**
 * `prisma migrate deploy` for one service's database, without the schema-engine binary: applies the
 * pending migrations of `prisma/<service>/migrations` in order and records each in
 * `_prisma_migrations` (checksum = SHA-256 of migration.sql), through Prisma's own engine. Safe to run
 * from several processes at once (the engine holds `pg_advisory_lock(72707369)` while it works, as
 * the binary does) and a no-op when nothing is pending. Returns the names it applied.
 *
 * Throws SchemaEngineError when a migration fails (it is then recorded as failed and later deploys
 * refuse until it is resolved, exactly as with `prisma migrate deploy`).
 */
export async function applyMigrations(
  service: string,
  url: string,
  options: ApplyMigrationsOptions = {},
): Promise<string[]> {
  const db = serviceDatabase(service, options.prismaDir ?? defaultPrismaDir());
  const { appliedMigrationNames } = await runSchemaEngine({
    command: 'applyMigrations',
    url,
    schemaFiles: readSchemaFiles(db),
    migrations: readMigrations(db.migrationsDir),
  });
  return appliedMigrationNames;
}
