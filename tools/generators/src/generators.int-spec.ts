import { execFile, execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

// End to end, as a developer runs it: in a copy of this workspace, `nx g` a service and a command for
// it, then the copy's own lint, type-check, drift check and the new service's tests, which boot it
// against this run's real broker and database (the ORDERLY_TEST_* servers, reused by the inner jest)
// and deliver a message to it through its inbox. Slow by nature (each step is a real tool): one test.

const run = promisify(execFile);
const root = path.resolve(__dirname, '../../..');
const STEP_TIMEOUT_MS = 240_000;

jest.setTimeout(8 * 60_000);

describe('the generators, end to end in a copy of the workspace', () => {
  let copy: string;

  beforeAll(() => {
    copy = mkdtempSync(path.join(os.tmpdir(), 'orderly-generators-'));
    copyWorkspace(root, copy);
  });
  afterAll(() => {
    if (copy) rmSync(copy, { recursive: true, force: true });
  });

  /** Runs a tool in the copy; a failure shows its output. */
  async function inCopy(command: string, args: string[], env: Record<string, string> = {}): Promise<string> {
    try {
      const { stdout, stderr } = await run(command, args, {
        cwd: copy,
        timeout: STEP_TIMEOUT_MS,
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', FORCE_COLOR: '0', ...env },
      });
      return stdout + stderr;
    } catch (error) {
      const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
      throw new Error(`${command} ${args.join(' ')} failed:\n${stdout}\n${stderr}`);
    }
  }
  const bin = (name: string) => path.join(copy, 'node_modules/.bin', name);
  const npmRun = (script: 'broker' | 'db', ...args: string[]) =>
    inCopy(process.execPath, [
      'tools/scripts/run-ts.mjs',
      script === 'broker' ? 'apps/broker/src/cli.ts' : 'tools/prisma-migrate/src/cli.ts',
      ...args,
    ]);

  it('generates shipping-service and ShipOrder; the copy lints, type-checks, and the service boots and handles ShipOrder', async () => {
    const service = await inCopy(bin('nx'), [
      'g',
      '@orderly/tools:service',
      'shipping-service',
      '--no-interactive',
    ]);
    expect(service).toContain('CREATE apps/shipping-service/src/app.module.ts');
    expect(service).toContain('UPDATE docker-compose.yml');
    const message = await inCopy(bin('nx'), [
      'g',
      '@orderly/tools:message',
      'shipping',
      'ShipOrder',
      '--kind',
      'command',
      '--no-interactive',
    ]);
    expect(message).toContain('CREATE apps/shipping-service/src/messages/ship-order.handler.ts');

    // The post-steps ran: the broker's definitions know the new user and queue; the client exists.
    const definitions = JSON.parse(readFileSync(path.join(copy, 'apps/broker/definitions.json'), 'utf8'));
    expect(definitions.users.map((u: { name: string }) => u.name)).toContain('shipping-service');
    expect(definitions.bindings).toContainEqual(
      expect.objectContaining({
        source: 'shipping.commands',
        destination: 'shipping-service.commands',
        routing_key: 'shipping.ship-order',
      }),
    );
    await npmRun('broker', 'definitions', '--check');
    expect(existsSync(path.join(copy, 'prisma/shipping/generated/client.ts'))).toBe(true);
    // The baseline migration builds exactly what schema.prisma + outbox.prisma describe.
    await npmRun('db', 'check', '--service', 'shipping', '--url', requiredEnv('ORDERLY_TEST_DATABASE_URL'));

    await inCopy(bin('eslint'), ['--max-warnings=0', 'apps/shipping-service', 'libs/contracts/src']);
    await inCopy(bin('tsc'), ['-p', 'apps/shipping-service/tsconfig.json', '--noEmit']);
    await inCopy(bin('tsc'), ['-p', 'libs/contracts/tsconfig.json', '--noEmit']);

    const results = path.join(copy, 'jest-results.json');
    await inCopy(bin('jest'), [
      '-c',
      'apps/shipping-service/jest.config.js',
      '--ci',
      '--json',
      '--outputFile',
      results,
    ]);
    const report = JSON.parse(readFileSync(results, 'utf8')) as {
      numTotalTests: number;
      numPassedTests: number;
      testResults: Array<{ assertionResults: Array<{ title: string; status: string }> }>;
    };
    const passed = report.testResults.flatMap((file) =>
      file.assertionResults.filter((a) => a.status === 'passed').map((a) => a.title),
    );
    expect(report.numPassedTests).toBe(report.numTotalTests);
    expect(passed).toEqual(
      expect.arrayContaining([
        'starts ready (database and broker up), serves /metrics, stops cleanly on SIGTERM',
        'handles a delivered ShipOrder once, recording it in the inbox, however often it arrives',
        "continues the sender's trace: each handling is a consumer span under the publish span",
      ]),
    );
  });
});

/**
 * The workspace as a fresh clone has it (tracked and new files, not ignored ones), plus what a clone
 * gets from `npm ci` and `npm run db -- generate`: node_modules (linked) and the existing Prisma clients.
 */
function copyWorkspace(from: string, to: string): void {
  const files = execFileSyncLines('git', ['ls-files', '-co', '--exclude-standard', '-z'], from);
  for (const file of files) {
    const source = path.join(from, file);
    if (!existsSync(source)) continue; // deleted in the working tree
    mkdirSync(path.dirname(path.join(to, file)), { recursive: true });
    cpSync(source, path.join(to, file));
  }
  symlinkSync(path.join(from, 'node_modules'), path.join(to, 'node_modules'));
  for (const service of readdirSync(path.join(from, 'prisma'))) {
    const generated = path.join(from, 'prisma', service, 'generated');
    if (existsSync(generated))
      cpSync(generated, path.join(to, 'prisma', service, 'generated'), { recursive: true });
  }
}

function execFileSyncLines(command: string, args: string[], cwd: string): string[] {
  return execFileSync(command, args, { cwd, maxBuffer: 64 * 1024 * 1024 })
    .toString('utf8')
    .split('\0')
    .filter(Boolean);
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run through jest (its global setup starts the servers)`);
  return value;
}
