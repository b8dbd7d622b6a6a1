import { readMigrations } from './migrations-directory';
import { runSchemaEngine } from './schema-engine';
import {
  defaultPrismaDir,
  findServiceDatabases,
  readSchemaFiles,
  serviceDatabase,
} from './service-databases';

export interface ShadowDatabaseOptions {
  /**
   * A database on a PostgreSQL server where a throw-away shadow database may be created (its user
   * needs CREATEDB). The migrations are replayed there; nothing else is touched.
   */
  url: string;
  /** Instead, an existing database to use as the shadow database. It is EMPTIED first. */
  shadowUrl?: string;
  /** The repository's `prisma/` folder (tests point it at a copy). */
  prismaDir?: string;
}

export interface DriftReport {
  service: string;
  /** True when applying the migrations yields exactly the schema. */
  inSync: boolean;
  /** The SQL a new migration would need to reach the schema (empty when in sync). */
  missingSql: string;
}

/**
 * Compares each service's schema with what its migrations build (replayed in a shadow database, like
 * `prisma migrate diff --from-migrations --to-schema`). Drift means someone changed schema.prisma
 * without `create`-ing a migration, or edited a migration by hand in a way the schema does not say.
 * Hand-written SQL the schema cannot express (CHECK constraints) is not drift.
 */
export async function checkDrift(
  options: ShadowDatabaseOptions & { services?: string[] },
): Promise<DriftReport[]> {
  const prismaDir = options.prismaDir ?? defaultPrismaDir();
  const dbs = options.services
    ? options.services.map((service) => serviceDatabase(service, prismaDir))
    : findServiceDatabases(prismaDir);
  // One after another when a shadow database is given (each diff empties it); otherwise side by side.
  const diff = (db: (typeof dbs)[number]) =>
    runSchemaEngine({
      command: 'diffMigrationsToSchema',
      url: options.url,
      shadowUrl: options.shadowUrl,
      schemaFiles: readSchemaFiles(db),
      migrations: readMigrations(db.migrationsDir),
    }).then(({ empty, script }): DriftReport => ({
      service: db.service,
      inSync: empty,
      missingSql: empty ? '' : script,
    }));
  if (options.shadowUrl) {
    const reports: DriftReport[] = [];
    for (const db of dbs) reports.push(await diff(db));
    return reports;
  }
  return Promise.all(dbs.map(diff));
}
