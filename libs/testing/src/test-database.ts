import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { TestEnv } from './test-servers';
import { testEnv } from './test-env';

export interface TestDatabase {
  name: string;
  url: string;
  dispose(): Promise<void>;
}

/** A fresh, empty database for one test file on the run's PostgreSQL server; `dispose()` drops it. */
export async function createTestDatabase(prefix = 'test'): Promise<TestDatabase> {
  const adminUrl = testEnv(TestEnv.databaseUrl);
  const name = `${prefix.replace(/[^a-z0-9_]/gi, '_')}_${randomBytes(4).toString('hex')}`.toLowerCase();
  await withAdmin(adminUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    dispose: () =>
      withAdmin(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(
        () => undefined,
      ),
  };
}

async function withAdmin<T>(adminUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
