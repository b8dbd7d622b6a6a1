import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { defaultPrismaDir } from './service-databases';

// Test support for this tool's specs. The shared harness (@orderly/testing) has the same helper, but
// a type:tool project may not depend on type:testing, and the harness is the likely user of this tool
// (to migrate test databases), which would make the two depend on each other. Same contract: the
// run's PostgreSQL server is ORDERLY_TEST_DATABASE_URL (an administrator URL), set by jest's global setup.

export interface ScratchDatabase {
  name: string;
  url: string;
  dispose(): Promise<void>;
}

export function testServerUrl(): string {
  const url = process.env['ORDERLY_TEST_DATABASE_URL'];
  if (!url)
    throw new Error(
      'ORDERLY_TEST_DATABASE_URL is not set: run the tests through jest (its global setup starts PostgreSQL)',
    );
  return url;
}

/** A fresh, empty database on the test server; `dispose()` drops it. */
export async function createScratchDatabase(prefix: string): Promise<ScratchDatabase> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  await onServer((client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(testServerUrl());
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    dispose: () =>
      onServer((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(
        () => undefined,
      ),
  };
}

/** Runs `work` with a client connected to `url` (the test server's administrator database by default). */
export async function onServer<T>(
  work: (client: Client) => Promise<T>,
  url: string = testServerUrl(),
): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * A copy of the repository's prisma/ folder (schemas, configs, migrations; no generated clients),
 * inside the repository's git-ignored .local/ so that its prisma.config.ts finds `prisma/config`.
 */
export function copyPrismaDir(): { dir: string; dispose(): void } {
  const scratch = path.join(path.dirname(defaultPrismaDir()), '.local', 'prisma-migrate-tests');
  mkdirSync(scratch, { recursive: true });
  const root = mkdtempSync(path.join(scratch, 'prisma-'));
  const dir = path.join(root, 'prisma');
  cpSync(defaultPrismaDir(), dir, {
    recursive: true,
    filter: (source) => path.basename(source) !== 'generated',
  });
  return { dir, dispose: () => rmSync(root, { recursive: true, force: true }) };
}
