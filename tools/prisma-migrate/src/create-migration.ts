import type { ShadowDatabaseOptions } from './drift-check';
import { migrationDirectoryName, readMigrations, writeMigration } from './migrations-directory';
import { runSchemaEngine } from './schema-engine';
import { defaultPrismaDir, readSchemaFiles, serviceDatabase } from './service-databases';

export interface CreateMigrationOptions extends ShadowDatabaseOptions {
  /** Write the migration even when the schema needs none, for hand-written SQL (data fixes, CHECKs). */
  empty?: boolean;
  /** The migration's timestamp (tests pin it). */
  at?: Date;
}

export interface CreatedMigration {
  /** The new folder, or null when the migrations already build the schema (nothing written). */
  dir: string | null;
  sql: string;
}

const EMPTY_MIGRATION = '-- This is an empty migration.\n';

/**
 * `prisma migrate dev --create-only`: writes `migrations/<timestamp>_<name>/migration.sql` with the SQL
 * that takes a database migrated by the existing migrations to schema.prisma. Review it, add what
 * the schema cannot say (CHECK constraints, data moves), then commit it with the schema change.
 */
export async function createMigration(
  service: string,
  name: string,
  options: CreateMigrationOptions,
): Promise<CreatedMigration> {
  const db = serviceDatabase(service, options.prismaDir ?? defaultPrismaDir());
  const migrations = readMigrations(db.migrationsDir);
  const directoryName = migrationDirectoryName(name, options.at);
  const last = migrations.migrationDirectories.at(-1)?.path;
  if (last !== undefined && directoryName.localeCompare(last) <= 0) {
    throw new Error(
      `prisma-migrate: ${directoryName} would sort before the last migration ${last}; check the clock`,
    );
  }
  const { empty, script } = await runSchemaEngine({
    command: 'diffMigrationsToSchema',
    url: options.url,
    shadowUrl: options.shadowUrl,
    schemaFiles: readSchemaFiles(db),
    migrations,
  });
  if (empty && !options.empty) return { dir: null, sql: '' };
  const sql = empty ? EMPTY_MIGRATION : script;
  return { dir: writeMigration(db.migrationsDir, directoryName, sql), sql };
}
