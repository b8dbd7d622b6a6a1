import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import type { SchemaEngine } from '@prisma/schema-engine-wasm';
import { PostgresMigrationTarget } from './postgres-migration-target';
import type { SchemaEngineResults, SchemaEngineTask, WorkerReply } from './schema-engine';

// Runs one SchemaEngineTask (see schema-engine.ts) and posts one WorkerReply.

const noSchemaFilter = { externalTables: [], externalEnums: [] };
let panicMessage: string | undefined;

// The workspace compiles for lib es2023, whose declarations leave WebAssembly out (lib.dom has it);
// these are the parts used here.
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, object>) => { exports: Record<string, unknown> };
};

/**
 * Instantiates the engine from @prisma/schema-engine-wasm, the way @prisma/internals'
 * wasmSchemaEngineLoader does, but reading the .wasm file from the package itself (internals looks
 * for a copy in its own `build/` folder, which its npm package does not ship).
 */
async function loadSchemaEngine(): Promise<typeof SchemaEngine> {
  // The engine reports a Rust panic's message here before it throws (@prisma/internals installs the
  // same global as WasmPanicRegistry); without it the panic surfaces as a TypeError in the glue.
  (globalThis as { PRISMA_WASM_PANIC_REGISTRY?: unknown }).PRISMA_WASM_PANIC_REGISTRY = {
    set_message: (message: string) => (panicMessage = message),
  };
  const glue = '@prisma/schema-engine-wasm/schema_engine_bg';
  const runtime = (await import(glue)) as {
    SchemaEngine: typeof SchemaEngine;
    __wbg_set_wasm(exports: Record<string, unknown>): void;
  };
  const wasm = new WebAssembly.Module(
    readFileSync(path.join(path.dirname(require.resolve(glue)), 'schema_engine_bg.wasm')),
  );
  const instance = new WebAssembly.Instance(wasm, { './schema_engine_bg.js': runtime });
  runtime.__wbg_set_wasm(instance.exports);
  (instance.exports['__wbindgen_start'] as () => void)();
  return runtime.SchemaEngine;
}

const task = workerData.task as SchemaEngineTask;
let target: PostgresMigrationTarget | undefined;

async function run(): Promise<SchemaEngineResults[SchemaEngineTask['command']]> {
  target = new PostgresMigrationTarget(
    task.url,
    task.command === 'diffMigrationsToSchema' ? task.shadowUrl : undefined,
  );
  const Engine = await loadSchemaEngine();
  const engine = await Engine.new(
    { datamodels: task.schemaFiles.map((file) => [file.path, file.content]) },
    () => undefined, // the engine's own tracing (JSON lines); failures come back as exceptions
    bindMigrationAwareSqlAdapterFactory(target),
  );
  try {
    switch (task.command) {
      case 'applyMigrations':
        return await engine.applyMigrations({ migrationsList: task.migrations, filters: noSchemaFilter });
      case 'diffMigrationsToSchema': {
        const { exitCode, stdout } = await engine.diff({
          from: { tag: 'migrations', ...task.migrations },
          to: { tag: 'schemaDatamodel', files: task.schemaFiles },
          script: true,
          exitCode: true, // 2 when the diff is not empty
          filters: noSchemaFilter,
        });
        return { empty: exitCode === 0, script: stdout ?? '' };
      }
    }
  } finally {
    engine.free();
  }
}

let replied = false;
async function reply(outcome: WorkerReply): Promise<void> {
  if (replied) return;
  replied = true;
  // Whatever happened, the throw-away shadow databases go.
  await target?.dispose().catch(() => undefined);
  parentPort?.postMessage(outcome);
}

function failure(error: unknown): WorkerReply {
  const { message, code } = error as { message?: string; code?: unknown };
  return {
    ok: false,
    error: {
      message: panicMessage ? `schema engine panicked: ${panicMessage}` : (message ?? String(error)),
      code: typeof code === 'string' ? code : undefined,
    },
  };
}

// A panic inside a callback of the driver adapter is thrown outside the engine's promise, which then
// never settles: it is answered here, with the panic's message.
process.on('uncaughtException', (error) => void reply(failure(error)));
run().then(
  (value) => reply({ ok: true, value }),
  (error: unknown) => reply(failure(error)),
);
