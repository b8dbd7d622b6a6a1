import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port';
import { isAlive } from './os-processes';

const root = path.resolve(__dirname, '../../..');

describe('PostgresServer', () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'orderly-postgres-server-'));
  // As root the server runs as `postgres`, which must be able to enter the folders above its data.
  chmodSync(work, 0o755);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('initialises a cluster once, keeps its data across a restart, and leaves no process after stop', async () => {
    const dataDir = path.join(work, 'data');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        path.join(root, 'tools/scripts/run-ts.mjs'),
        path.join(__dirname, 'fixtures/postgres-restart.ts'),
        dataDir,
        String(await freePort()),
      ],
      { cwd: root, timeout: 90_000 },
    );
    const outcome = JSON.parse(stdout.trim().split('\n').pop() as string) as {
      encoding: string;
      rows: { id: number }[];
      pids: number[];
    };

    expect(outcome.encoding).toBe('UTF8');
    expect(outcome.rows).toEqual([{ id: 42 }]);
    expect(outcome.pids).toHaveLength(2);
    for (const pid of outcome.pids) expect(isAlive(pid)).toBe(false);
    expect(readdirSync(dataDir)).not.toContain('postmaster.pid');
  }, 120_000);
});
