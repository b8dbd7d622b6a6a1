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

/** Processes whose environment mentions `needle` (the services: their DATABASE_URL names the demo's server). */
function processesWithEnvironment(needle: string): string[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => {
      try {
        const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
        return environ.includes(needle)
          ? [readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ')]
          : [];
      } catch {
        return [];
      }
    });
}

describe('npm run demo -- --once', () => {
  it('places a sample order down every saga path, each reaches its expected outcome, and nothing is left running', async () => {
    const child = spawn(
      process.execPath,
      [
        path.join(root, 'tools/scripts/run-ts.mjs'),
        'tools/demo/src/demo.ts',
        '--once',
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
    for (const [sample, status] of [
      ['success', 'CONFIRMED'],
      ['out of stock', 'REJECTED'],
      ['payment declined', 'REJECTED'],
      ['payment timeout', 'REJECTED'],
      ['customer cancels', 'CANCELLED'],
    ]) {
      expect(output).toContain(`✔ ${sample}: ${status}, as expected`);
    }
    expect(output).toContain('all 5 sample orders reached their expected outcome.');
    // The summary shows each saga's messages and its trace.
    expect(output).toMatch(/→ inventory\.reserve-stock/);
    expect(output).toMatch(/← payment\.authorised/);
    // Each order is one trace across the four services, collected by the demo itself.
    expect(output).not.toContain('(none recorded)');
    expect(output).toMatch(
      /trace: \d+ spans from inventory-service \d+, notification-service \d+, order-service \d+, payment-service \d+/,
    );
    expect(output).toContain('everything stopped.');
    // Nothing it started is left behind: no process runs from its folder (the RabbitMQ node, PostgreSQL)
    // and no service answers any more.
    expect(processesMentioning(baseDir)).toEqual([]);
    const postgres = /embedded PostgreSQL is up on (127\.0\.0\.1:\d+)/.exec(output)?.[1];
    expect(postgres).toBeDefined();
    expect(processesWithEnvironment(`@${postgres}/orderly_`)).toEqual([]);
    const urls = [...output.matchAll(/is ready at (http:\/\/127\.0\.0\.1:\d+)/g)].map(
      (match) => match[1] ?? '',
    );
    expect(urls).toHaveLength(4);
    for (const url of urls) await expect(fetch(`${url}/health/live`)).rejects.toThrow();
    expect(existsSync(path.join(baseDir, 'logs', 'order-service.log'))).toBe(true);
  }, 420_000);

  afterAll(() => {
    rmSync(baseDir, { recursive: true, force: true });
  });
});
