#!/usr/bin/env node
// Runs a TypeScript entry point of this workspace through @swc-node/register: swc keeps Nest's decorator
// metadata (esbuild-based runners drop it) and resolves the @orderly/* aliases of tsconfig.base.json.
// Usage: node tools/scripts/run-ts.mjs <file.ts> [args...]
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: run-ts.mjs <file.ts> [args...]');
  process.exit(2);
}
const child = spawn(
  process.execPath,
  ['--enable-source-maps', '--require', '@swc-node/register', path.resolve(entry), ...args],
  { stdio: 'inherit', cwd: root, env: { SWC_NODE_PROJECT: path.join(root, 'tsconfig.base.json'), ...process.env } },
);
// Forward signals so that Ctrl-C / SIGTERM reach the program's own graceful shutdown.
const forward = (sig) => child.kill(sig);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, forward);
// End the way the program ended: its exit code, or the same signal (Nest re-raises SIGTERM after a
// graceful shutdown), so a supervisor sees what really happened.
child.on('exit', (code, signal) => {
  if (signal) {
    for (const sig of ['SIGINT', 'SIGTERM']) process.off(sig, forward);
    process.kill(process.pid, signal);
  } else {
    process.exit(code ?? 1);
  }
});
