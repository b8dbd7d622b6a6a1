import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { applyMigrations } from './apply-migrations';
import { migrationChecksum, writeMigration } from './migrations-directory';
import { SchemaEngineError } from './schema-engine';
import { findServiceDatabases } from './service-databases';
import { copyPrismaDir, createScratchDatabase, onServer, type ScratchDatabase } from './test-database';

const services = findServiceDatabases();

describe('applyMigrations (prisma migrate deploy without the binary)', () => {
  let db: ScratchDatabase;
  beforeEach(async () => (db = await createScratchDatabase('apply')));
  afterEach(() => db?.dispose());

  it('finds the four service databases of the repository', () => {
    expect(services.map((s) => s.service)).toEqual(['inventory', 'notification', 'order', 'payment']);
  });

  it.each(services.map((s) => [s.service, s] as const))(
    'applies every %s migration to an empty database in order, and a second deploy applies nothing',
    async (service, layout) => {
      const committed = readdirSync(layout.migrationsDir, { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name)
        .sort();
      expect(committed.length).toBeGreaterThan(0);

      expect(await applyMigrations(service, db.url)).toEqual(committed);
      expect(await applyMigrations(service, db.url)).toEqual([]);

      const rows = await onServer(
        (c) => c.query('SELECT migration_name FROM _prisma_migrations ORDER BY started_at'),
        db.url,
      );
      expect(rows.rows.map((r) => r.migration_name)).toEqual(committed);
    },
  );

  it('records migrations in _prisma_migrations exactly as prisma migrate deploy does', async () => {
    const order = services.find((s) => s.service === 'order');
    if (!order) throw new Error('no order database');
    await applyMigrations('order', db.url);

    const columns = await onServer(
      (c) =>
        c.query(
          `SELECT column_name, data_type, character_maximum_length AS length, is_nullable, column_default
             FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`,
        ),
      db.url,
    );
    // The table the schema-engine binary creates (prisma-engines, sql-migration-connector).
    expect(columns.rows).toEqual([
      {
        column_name: 'id',
        data_type: 'character varying',
        length: 36,
        is_nullable: 'NO',
        column_default: null,
      },
      {
        column_name: 'checksum',
        data_type: 'character varying',
        length: 64,
        is_nullable: 'NO',
        column_default: null,
      },
      {
        column_name: 'finished_at',
        data_type: 'timestamp with time zone',
        length: null,
        is_nullable: 'YES',
        column_default: null,
      },
      {
        column_name: 'migration_name',
        data_type: 'character varying',
        length: 255,
        is_nullable: 'NO',
        column_default: null,
      },
      { column_name: 'logs', data_type: 'text', length: null, is_nullable: 'YES', column_default: null },
      {
        column_name: 'rolled_back_at',
        data_type: 'timestamp with time zone',
        length: null,
        is_nullable: 'YES',
        column_default: null,
      },
      {
        column_name: 'started_at',
        data_type: 'timestamp with time zone',
        length: null,
        is_nullable: 'NO',
        column_default: 'now()',
      },
      {
        column_name: 'applied_steps_count',
        data_type: 'integer',
        length: null,
        is_nullable: 'NO',
        column_default: '0',
      },
    ]);

    const { rows } = await onServer(
      (c) => c.query('SELECT * FROM _prisma_migrations ORDER BY started_at'),
      db.url,
    );
    const names = readdirSync(order.migrationsDir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
    expect(rows).toHaveLength(names.length);
    rows.forEach((row, i) => {
      const name = names[i] ?? '';
      expect(row).toMatchObject({
        migration_name: name,
        checksum: migrationChecksum(readFileSync(path.join(order.migrationsDir, name, 'migration.sql'))),
        logs: null,
        rolled_back_at: null,
        applied_steps_count: 1,
      });
      expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(row.finished_at.getTime()).toBeGreaterThanOrEqual(row.started_at.getTime());
    });
  });

  it('applies each migration once when two deploys race on an empty database', async () => {
    const [first, second] = await Promise.all([
      applyMigrations('inventory', db.url),
      applyMigrations('inventory', db.url),
    ]);
    const { rows } = await onServer((c) => c.query('SELECT migration_name FROM _prisma_migrations'), db.url);
    expect([...first, ...second].sort()).toEqual(rows.map((r) => r.migration_name).sort());
    expect(new Set(rows.map((r) => r.migration_name)).size).toBe(rows.length);
  });

  describe('with a migration of its own', () => {
    let copy: ReturnType<typeof copyPrismaDir>;
    beforeEach(() => (copy = copyPrismaDir()));
    afterEach(() => copy?.dispose());
    const migrationsDir = () => path.join(copy.dir, 'notification', 'migrations');

    it('runs a script whose comments, strings and function bodies contain semicolons', async () => {
      writeMigration(
        migrationsDir(),
        '29990101000000_semicolons',
        `-- a comment; with a semicolon
CREATE TABLE "audit" ("note" TEXT NOT NULL DEFAULT 'a; b');
CREATE FUNCTION audit_count() RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
  RETURN (SELECT count(*) FROM "audit");
END;
$$;
`,
      );
      await applyMigrations('notification', db.url, { prismaDir: copy.dir });
      const { rows } = await onServer(async (c) => {
        await c.query('INSERT INTO "audit" DEFAULT VALUES');
        return c.query('SELECT note, audit_count() AS count FROM "audit"');
      }, db.url);
      expect(rows).toEqual([{ note: 'a; b', count: '1' }]);
    });

    it('rolls a failing migration back completely, records it as failed, and refuses later deploys', async () => {
      writeMigration(
        migrationsDir(),
        '29990101000000_broken',
        'CREATE TABLE "half_done" ("id" INTEGER);\nSELECT 1 / 0;\n',
      );
      const failure = await applyMigrations('notification', db.url, { prismaDir: copy.dir }).catch(
        (e: unknown) => e,
      );
      expect(failure).toBeInstanceOf(SchemaEngineError);
      expect((failure as Error).message).toMatch(/division by zero[\s\S]*29990101000000_broken/);

      await onServer(async (c) => {
        const table = await c.query(`SELECT to_regclass('public.half_done') AS table`);
        expect(table.rows[0].table).toBeNull(); // all or nothing, as with the binary
        const row = await c.query(
          `SELECT finished_at, logs FROM _prisma_migrations WHERE migration_name = '29990101000000_broken'`,
        );
        expect(row.rows[0]).toMatchObject({
          finished_at: null,
          logs: expect.stringContaining('division by zero'),
        });
      }, db.url);

      await expect(applyMigrations('notification', db.url, { prismaDir: copy.dir })).rejects.toMatchObject({
        code: 'P3009',
        message: expect.stringContaining('found failed migrations'),
      });
    });
  });
});
