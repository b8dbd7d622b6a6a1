import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { MigrationList } from '@prisma/schema-engine-wasm';
import type { SchemaFile } from './service-databases';

/**
 * What this tool asks of Prisma's schema engine (@prisma/schema-engine-wasm, the engine of
 * `prisma migrate` compiled to WebAssembly, talking to PostgreSQL through @prisma/adapter-pg).
 */
export type SchemaEngineTask =
  | {
      /** `prisma migrate deploy`: applies the pending migrations, recording them in `_prisma_migrations`. */
      command: 'applyMigrations';
      url: string;
      schemaFiles: SchemaFile[];
      migrations: MigrationList;
    }
  | {
      /** `prisma migrate diff --from-migrations --to-schema --script`, replayed in a shadow database. */
      command: 'diffMigrationsToSchema';
      url: string;
      shadowUrl?: string;
      schemaFiles: SchemaFile[];
      migrations: MigrationList;
    };

export interface SchemaEngineResults {
  applyMigrations: { appliedMigrationNames: string[] };
  /** `script` is the SQL that takes a database migrated by `migrations` to the schema; `empty` when none. */
  diffMigrationsToSchema: { empty: boolean; script: string };
}

export type WorkerReply<C extends SchemaEngineTask['command'] = SchemaEngineTask['command']> =
  { ok: true; value: SchemaEngineResults[C] } | { ok: false; error: { message: string; code?: string } };

/** The engine refused or failed; `code` is Prisma's error code when it gives one (P3006: a migration does not replay; P3009: a failed migration blocks deploys). */
export class SchemaEngineError extends Error {
  constructor(
    message: string,
    readonly command: SchemaEngineTask['command'],
    readonly code?: string,
  ) {
    super(message);
    this.name = 'SchemaEngineError';
  }
}

// The engine runs in a worker thread: its JavaScript glue is an ES module, which jest's module system
// (and so any integration test calling this tool) cannot load, while a worker is plain Node. It also
// keeps the 5 MB WebAssembly instance out of the caller once the task is done. The worker runs
// TypeScript through @swc-node/register, the workspace's runner, unless the thread inherited it.
const bootstrap = `
const { workerData } = require('node:worker_threads');
if (!require.extensions['.ts']) require(workerData.register);
require(workerData.entry);
`;

/** Runs one task in a fresh schema engine and returns its result. */
export function runSchemaEngine<T extends SchemaEngineTask>(
  task: T,
): Promise<SchemaEngineResults[T['command']]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(bootstrap, {
      eval: true,
      workerData: {
        register: require.resolve('@swc-node/register'),
        entry: path.join(__dirname, 'schema-engine.worker.ts'),
        task,
      },
    });
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      outcome();
    };
    worker.once('message', (reply: WorkerReply<T['command']>) =>
      settle(() =>
        reply.ok
          ? resolve(reply.value)
          : reject(new SchemaEngineError(reply.error.message, task.command, reply.error.code)),
      ),
    );
    worker.once('error', (error) => settle(() => reject(error)));
    worker.once('exit', (code) =>
      settle(() =>
        reject(
          new SchemaEngineError(`schema engine worker exited (${code}) without an answer`, task.command),
        ),
      ),
    );
  });
}
