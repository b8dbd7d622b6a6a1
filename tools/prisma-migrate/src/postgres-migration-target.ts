import { randomUUID } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import {
  ColumnTypeEnum,
  DriverAdapterError,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import { Client, type DatabaseError, Pool, type PoolClient, type QueryResult } from 'pg';

/**
 * The database connections the wasm schema engine asks for: the target database, and a shadow
 * database when it replays the migrations folder (diffing from `migrations`).
 *
 * Built on @prisma/adapter-pg with three corrections, each needed to behave like the schema-engine
 * binary that `prisma migrate` uses elsewhere:
 * - Shadow databases are made here. `PrismaPg#connectToShadowDb` creates one but then connects with
 *   the original `connectionString`, whose database name wins over the one it sets (pg parses the URL
 *   last): the migrations would be replayed into the target database.
 * - A migration script runs as one query (see `runWholeScripts`), not split at every `;`.
 * - Catalog columns of type `"char"` can be read, and all statements share one session (see
 *   `catalogReadingPool`).
 *
 * The shadow database is a throw-away `prisma_migrate_shadow_db_<uuid>` on the target's server (its
 * user needs CREATEDB), or an existing database given as `shadowUrl`, which is emptied first, as Prisma
 * does with `shadowDatabaseUrl`.
 */
export class PostgresMigrationTarget implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = 'postgres' as const;
  readonly adapterName = '@prisma/adapter-pg';
  private readonly created: string[] = [];

  constructor(
    private readonly url: string,
    private readonly shadowUrl?: string,
  ) {
    if (shadowUrl !== undefined && sameDatabase(url, shadowUrl)) {
      throw new Error('prisma-migrate: the shadow database must not be the target database (it is emptied)');
    }
  }

  connect(): Promise<SqlDriverAdapter> {
    return connectForMigrations(this.url);
  }

  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    if (this.shadowUrl !== undefined) {
      await withClient(this.shadowUrl, (client) =>
        client.query('DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;'),
      );
      return connectForMigrations(this.shadowUrl);
    }
    const name = `prisma_migrate_shadow_db_${randomUUID().replace(/-/g, '')}`;
    await withClient(this.url, (client) => client.query(`CREATE DATABASE "${name}"`));
    this.created.push(name);
    const shadow = new URL(this.url);
    shadow.pathname = `/${name}`;
    return connectForMigrations(shadow.toString());
  }

  /** Drops the throw-away shadow databases (with FORCE: a connection the engine left open is no reason to keep one). */
  async dispose(): Promise<void> {
    const names = this.created.splice(0);
    if (names.length === 0) return;
    await withClient(this.url, async (client) => {
      for (const name of names) await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    });
  }
}

async function connectForMigrations(connectionString: string): Promise<SqlDriverAdapter> {
  const pool = catalogReadingPool(connectionString);
  const adapter = await new PrismaPg(pool, { disposeExternalPool: true }).connect();
  return runWholeScripts(adapter, pool);
}

/**
 * @prisma/adapter-pg's `executeScript` splits a script at every `;` and runs the pieces one by one:
 * a `;` inside a comment, a string or a function body breaks the migration, and a failure leaves the
 * statements before it committed. The binary sends the script as one simple query, which PostgreSQL
 * runs as one implicit transaction: a migration applies completely or not at all. So does this.
 */
function runWholeScripts(adapter: SqlDriverAdapter, pool: Pool): SqlDriverAdapter {
  return {
    provider: adapter.provider,
    adapterName: adapter.adapterName,
    async queryRaw(query) {
      const result = await adapter.queryRaw(query);
      for (const index of catalogCharColumns.get(result.rows) ?? [])
        result.columnTypes[index] = ColumnTypeEnum.Character;
      return result;
    },
    executeRaw: (query) => adapter.executeRaw(query),
    startTransaction: (isolationLevel) => adapter.startTransaction(isolationLevel),
    getConnectionInfo: adapter.getConnectionInfo?.bind(adapter),
    dispose: () => adapter.dispose(),
    async executeScript(script) {
      try {
        await pool.query(script);
      } catch (error) {
        const pgError = error as Partial<DatabaseError> & Error;
        if (pgError.code === undefined) throw error; // not from the server (socket, TLS): as is
        throw new DriverAdapterError({
          kind: 'postgres',
          code: pgError.code,
          severity: pgError.severity ?? 'ERROR',
          message: pgError.message,
          detail: pgError.detail,
          column: pgError.column,
          hint: pgError.hint,
        });
      }
    },
  };
}

const PG_CATALOG_CHAR = 18;
const PG_TEXT = 25;
/** Result rows (the array the adapter passes on as is) → indexes of their `"char"` columns. */
const catalogCharColumns = new WeakMap<object, number[]>();

/**
 * @prisma/adapter-pg refuses result columns of PostgreSQL's internal one-byte type `"char"` (OID 18),
 * which only system catalogs use (`pg_class.relkind`, `pg_constraint.contype`, ...) and which the
 * engine reads whenever it describes a database ("Column type 'char' could not be deserialized from
 * the database"). Here such a column is relabelled as `text` so the adapter accepts it, and
 * remembered by its rows, so that `runWholeScripts`' queryRaw reports it as the `Character` column
 * the engine reads it as.
 */
function catalogReadingPool(connectionString: string): Pool {
  // One connection that stays open, as the binary has: the engine's session-level advisory lock
  // (pg_advisory_lock(72707369), taken while it applies migrations) and the statements it guards
  // must share one session, which a pool handing out several connections would not guarantee.
  const pool = new Pool({ connectionString, max: 1, idleTimeoutMillis: 0 });
  pool.on('connect', (client: PoolClient) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    // The adapter queries through pool.query, which calls back, and through checked-out clients in
    // transactions, which use promises: both shapes end here.
    client.query = ((...args: unknown[]) => {
      const callback = args.at(-1);
      if (typeof callback === 'function') {
        args[args.length - 1] = (error: unknown, result: unknown) =>
          callback(error, result && relabelCatalogChar(result));
        return query(...args);
      }
      const result = query(...args);
      return result instanceof Promise ? result.then(relabelCatalogChar) : result;
    }) as typeof client.query;
  });
  return pool;
}

function relabelCatalogChar<R>(result: R): R {
  const { fields, rows } = result as Partial<QueryResult>;
  const indexes: number[] = [];
  (fields ?? []).forEach((field, index) => {
    if (field.dataTypeID !== PG_CATALOG_CHAR) return;
    field.dataTypeID = PG_TEXT;
    indexes.push(index);
  });
  if (indexes.length > 0 && rows) catalogCharColumns.set(rows, indexes);
  return result;
}

function sameDatabase(a: string, b: string): boolean {
  const [x, y] = [new URL(a), new URL(b)];
  return x.host === y.host && x.pathname === y.pathname;
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
