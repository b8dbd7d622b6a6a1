import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Where one service's database lives in the repository. Each service owns one PostgreSQL database,
 * described by the folder `prisma/<service>/`:
 *
 *   prisma.config.ts   what the real Prisma CLI reads (Docker images run `prisma migrate deploy --config ...`)
 *   *.prisma           the schema (Prisma's multi-file schema: every .prisma file below the folder)
 *   migrations/        `<timestamp>_<name>/migration.sql` + migration_lock.toml, Prisma's own format
 *   generated/         the generated client (git-ignored), imported as `@orderly/<service>-db`
 */
export interface ServiceDatabase {
  service: string;
  dir: string;
  configFile: string;
  migrationsDir: string;
  generatedDir: string;
}

export interface SchemaFile {
  /** Path relative to the service folder, e.g. `schema.prisma`. */
  path: string;
  content: string;
}

/** The repository's `prisma/` folder: found from this file, so the tool works from any cwd. */
export function defaultPrismaDir(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'nx.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`prisma-migrate: no nx.json above ${__dirname}`);
    dir = parent;
  }
  return path.join(dir, 'prisma');
}

/** Every service database: each folder of `prismaDir` with a prisma.config.ts, sorted by name. */
export function findServiceDatabases(prismaDir: string = defaultPrismaDir()): ServiceDatabase[] {
  if (!existsSync(prismaDir)) return [];
  return readdirSync(prismaDir, { withFileTypes: true })
    .filter(
      (entry) => entry.isDirectory() && existsSync(path.join(prismaDir, entry.name, 'prisma.config.ts')),
    )
    .map((entry) => layout(prismaDir, entry.name))
    .sort((a, b) => a.service.localeCompare(b.service));
}

/** One service's database; throws (naming the known ones) for a service without a folder. */
export function serviceDatabase(service: string, prismaDir: string = defaultPrismaDir()): ServiceDatabase {
  const found = findServiceDatabases(prismaDir).find((db) => db.service === service);
  if (!found) {
    const known = findServiceDatabases(prismaDir).map((db) => db.service);
    throw new Error(
      `prisma-migrate: no database "${service}" (no ${path.join(prismaDir, service, 'prisma.config.ts')}); known: ${known.join(', ') || 'none'}`,
    );
  }
  return found;
}

/**
 * The schema as Prisma reads it from `schema: '.'` in prisma.config.ts: every `.prisma` file below the
 * service folder, in a stable order. Shared models (the outbox, the inbox) join a service as one more file.
 */
export function readSchemaFiles(db: ServiceDatabase): SchemaFile[] {
  const files = readdirSync(db.dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.prisma'))
    .sort();
  if (files.length === 0) throw new Error(`prisma-migrate: no .prisma file in ${db.dir}`);
  return files.map((file) => ({ path: file, content: readFileSync(path.join(db.dir, file), 'utf8') }));
}

function layout(prismaDir: string, service: string): ServiceDatabase {
  const dir = path.join(prismaDir, service);
  return {
    service,
    dir,
    configFile: path.join(dir, 'prisma.config.ts'),
    migrationsDir: path.join(dir, 'migrations'),
    generatedDir: path.join(dir, 'generated'),
  };
}
