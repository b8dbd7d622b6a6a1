import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { serverFolder } from '@orderly/local-servers';

const root = path.resolve(__dirname, '../../..');
const baseDir = serverFolder(path.join(root, '.local', `demo-test-${process.pid}`));

/** Processes whose command line mentions `needle` (ours: the demo's node, database and services). */
function processesMentioning(needle: string): string[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => {
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        return cmdline.includes(needle) ? [cmdline.replace(/\0/g, ' ')] : [];
      } catch {
        return [];
      }
    });
}

describe('npm run demo', () => {
  it('brings broker, databases and the four services up healthy, then stops everything cleanly', async () => {
    const child = spawn(
      process.execPath,
      [
        path.join(root, 'tools/scripts/run-ts.mjs'),
        'tools/demo/src/demo.ts',
        '--exit-when-ready',
        '--base-dir',
        baseDir,
      ],
      // The harness's servers are not used: the demo starts its own, as it does for a newcomer.
      { cwd: root, env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '' } },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));

    expect({ code, output: code === 0 ? '' : output }).toEqual({ code: 0, output: '' });
    for (const service of ['order-service', 'inventory-service', 'payment-service', 'notification-service']) {
      expect(output).toMatch(new RegExp(`'${service}'.*'ok'.*'lifecycle up, database up, broker up'`));
    }
    expect(output).toContain('everything stopped.');
    // Nothing it started is left behind: no process runs from its folder (the RabbitMQ node, PostgreSQL)
    // and no service answers any more.
    expect(processesMentioning(baseDir)).toEqual([]);
    const urls = [...output.matchAll(/'(http:\/\/127\.0\.0\.1:\d+)'/g)].map((match) => match[1] ?? '');
    expect(urls).toHaveLength(4);
    for (const url of urls) await expect(fetch(`${url}/health/live`)).rejects.toThrow();
    expect(existsSync(path.join(baseDir, 'logs', 'order-service.log'))).toBe(true);
  }, 240_000);

  afterAll(() => {
    rmSync(baseDir, { recursive: true, force: true });
  });
});
