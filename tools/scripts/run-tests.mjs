#!/usr/bin/env node
// `npm test`: the whole suite, in the order that fails fastest. Real RabbitMQ and PostgreSQL servers are
// started by jest's global setup (libs/testing) and stopped at the end; nothing is left running.
//   npm test                         generate clients, type-check, lint, every jest project
//   npm test -- --project <dir>      one project's jest config only (what `nx test <project>` runs)
//   npm test -- <jest args>          extra arguments go to jest (e.g. a test name pattern: -t outbox)
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const projectIndex = args.indexOf('--project');
const project = projectIndex >= 0 ? args.splice(projectIndex, 2)[1] : undefined;
const bin = (name) => path.join(root, 'node_modules/.bin', name);
const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', FORCE_COLOR: process.env.CI ? '0' : '1' };

function step(title, command, commandArgs) {
  process.stdout.write(`\n▶ ${title}\n`);
  const started = Date.now();
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit', env });
  if (result.status !== 0) {
    process.stdout.write(`\n✖ ${title} failed (exit ${result.status ?? result.signal})\n`);
    process.exit(result.status ?? 1);
  }
  process.stdout.write(`✔ ${title} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
}

step('generate Prisma clients', process.execPath, [path.join(root, 'tools/scripts/run-ts.mjs'), 'tools/prisma-migrate/src/cli.ts', 'generate']);
if (!project) {
  step('type-check', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']);
  step('project graph', bin('nx'), ['show', 'projects']);
  step('lint', bin('eslint'), ['--max-warnings=0', '.']);
}
const config = project ? path.join(project, 'jest.config.js') : 'jest.config.js';
step('jest (real RabbitMQ and PostgreSQL)', bin('jest'), ['-c', config, '--ci', ...args]);
