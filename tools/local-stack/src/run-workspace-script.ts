import { spawn } from 'node:child_process';
import path from 'node:path';

/**
 * Runs a workspace TypeScript entry point (a CLI of another project: the broker app, the migration tool)
 * as a child process and resolves with its output, rejecting with that output when it fails. The demo
 * drives the same commands a developer types, rather than importing other projects' internals.
 */
export function runWorkspaceScript(
  root: string,
  entry: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'tools/scripts/run-ts.mjs'), entry, ...args], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve(output)
        : reject(new Error(`${entry} ${args.join(' ')} failed (exit ${code}):\n${output}`)),
    );
  });
}
