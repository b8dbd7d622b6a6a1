import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { applyMigrations } from './apply-migrations';
import { createMigration } from './create-migration';
import { checkDrift } from './drift-check';
import { copyPrismaDir, createScratchDatabase, onServer, testServerUrl } from './test-database';

const repositoryRoot = path.resolve(__dirname, '../../..');

/** Runs the CLI as `npm run db` does and returns its exit code and output. */
function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(repositoryRoot, 'tools/scripts/run-ts.mjs'), 'tools/prisma-migrate/src/cli.ts', ...args],
      { cwd: repositoryRoot, env: { ...process.env, DATABASE_URL: '' } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

function addPaymentNote(prismaDir: string): void {
  const schema = path.join(prismaDir, 'payment', 'schema.prisma');
  writeFileSync(
    schema,
    readFileSync(schema, 'utf8').replace(
      '  declineReason   String?',
      '  note            String?\n  declineReason   String?',
    ),
  );
}

const addNoteSql = /ALTER TABLE "payment" ADD COLUMN\s+"note" TEXT;/;

const shadowDatabases = () =>
  onServer((c) =>
    c.query(`SELECT datname FROM pg_database WHERE datname LIKE 'prisma_migrate_shadow_db_%'`),
  ).then((r) => r.rows.map((row) => row.datname as string));

describe('drift between a schema and its migrations', () => {
  it('is absent from every committed schema (hand-written CHECK constraints are not drift)', async () => {
    const before = await shadowDatabases();
    const reports = await checkDrift({ url: testServerUrl() });
    expect(reports).toEqual(
      ['inventory', 'notification', 'order', 'payment'].map((service) => ({
        service,
        inSync: true,
        missingSql: '',
      })),
    );
    expect(await shadowDatabases()).toEqual(before); // the throw-away shadow databases are gone
  });

  describe('in a copy of prisma/', () => {
    let copy: ReturnType<typeof copyPrismaDir>;
    beforeEach(() => (copy = copyPrismaDir()));
    afterEach(() => copy?.dispose());

    it('is found in a schema with a field its migrations lack, with the SQL to add it', async () => {
      addPaymentNote(copy.dir);
      const reports = await checkDrift({ url: testServerUrl(), prismaDir: copy.dir, services: ['payment'] });
      expect(reports).toEqual([
        { service: 'payment', inSync: false, missingSql: expect.stringMatching(addNoteSql) },
      ]);
    });

    it('makes `check` exit non-zero, naming the service and printing the missing SQL', async () => {
      addPaymentNote(copy.dir);
      const services = ['--service', 'payment', '--service', 'order'];
      const drifted = await cli(['check', '--url', testServerUrl(), '--prisma-dir', copy.dir, ...services]);
      expect(drifted.code).toBe(1);
      expect(drifted.stderr).toContain('✖ payment: the schema and its migrations differ');
      expect(drifted.stderr).toMatch(addNoteSql);
      expect(drifted.stdout).toContain('✔ order: schema and migrations agree');

      const inSync = await cli([
        'check',
        '--url',
        testServerUrl(),
        '--prisma-dir',
        copy.dir,
        '--service',
        'order',
      ]);
      expect(inSync).toMatchObject({
        code: 0,
        stdout: expect.stringContaining('✔ order: schema and migrations agree'),
      });
    });

    it('is resolved by `create`, whose migration then deploys after the earlier ones', async () => {
      addPaymentNote(copy.dir);
      const created = await createMigration('payment', 'add note', {
        url: testServerUrl(),
        prismaDir: copy.dir,
      });
      expect(created.dir && path.basename(created.dir)).toMatch(/^\d{14}_add_note$/);
      expect(created.sql).toMatch(addNoteSql);
      expect(readFileSync(path.join(created.dir ?? '', 'migration.sql'), 'utf8')).toBe(created.sql);

      expect(await checkDrift({ url: testServerUrl(), prismaDir: copy.dir, services: ['payment'] })).toEqual([
        { service: 'payment', inSync: true, missingSql: '' },
      ]);
      const db = await createScratchDatabase('create');
      try {
        const applied = await applyMigrations('payment', db.url, { prismaDir: copy.dir });
        expect(applied.at(-1)).toBe(path.basename(created.dir ?? ''));
        const note = await onServer(
          (c) =>
            c.query(
              `SELECT 1 FROM information_schema.columns WHERE table_name = 'payment' AND column_name = 'note'`,
            ),
          db.url,
        );
        expect(note.rowCount).toBe(1);
      } finally {
        await db.dispose();
      }
    });

    it('leaves nothing to `create` when the migrations already build the schema, unless asked for an empty one', async () => {
      const migrationsDir = path.join(copy.dir, 'order', 'migrations');
      const before = readdirSync(migrationsDir);
      expect(
        await createMigration('order', 'nothing', { url: testServerUrl(), prismaDir: copy.dir }),
      ).toEqual({ dir: null, sql: '' });
      expect(readdirSync(migrationsDir)).toEqual(before);

      const empty = await createMigration('order', 'backfill', {
        url: testServerUrl(),
        prismaDir: copy.dir,
        empty: true,
      });
      expect(empty.sql).toBe('-- This is an empty migration.\n');
      expect(readdirSync(migrationsDir)).toHaveLength(before.length + 1);
    });

    it('can be checked in a given shadow database, which is emptied first', async () => {
      const shadow = await createScratchDatabase('shadow');
      try {
        await onServer((c) => c.query('CREATE TABLE leftover (id int)'), shadow.url);
        const reports = await checkDrift({
          url: testServerUrl(),
          shadowUrl: shadow.url,
          prismaDir: copy.dir,
          services: ['inventory'],
        });
        expect(reports).toEqual([{ service: 'inventory', inSync: true, missingSql: '' }]);
        const leftover = await onServer(
          (c) => c.query(`SELECT to_regclass('public.leftover') AS t`),
          shadow.url,
        );
        expect(leftover.rows[0].t).toBeNull();
      } finally {
        await shadow.dispose();
      }
    });
  });
});
