import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Services } from '@orderly/contracts';
import { NoComposeMessage, runComposeDemo, whereToLookOnCompose } from './compose-demo';
import type { ComposeDemoTarget } from './compose-demo-target';
import { ComposeCommands } from './compose-stack';
import { DemoRefusedError } from './demo-refused.error';

const root = path.resolve(__dirname, '../../..');

describe('npm run demo -- --compose', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'orderly-compose-demo-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses, pointing at the local demo, where docker compose does not exist, and writes no .env', async () => {
    const lines: string[] = [];
    const run = runComposeDemo({
      root: dir,
      once: true,
      say: (line) => lines.push(line),
      docker: path.join(dir, 'no-docker-here'),
    });
    await expect(run).rejects.toThrow(DemoRefusedError);
    await expect(run).rejects.toThrow(NoComposeMessage);
    expect(existsSync(path.join(dir, '.env'))).toBe(false);
  });

  it('exits non-zero with that message when run from the command line without docker on the PATH', async () => {
    // PATH names an empty folder: no `docker` at all, so nothing can start a stack, even where Docker exists.
    const child = spawn(
      process.execPath,
      [path.join(root, 'tools/scripts/run-ts.mjs'), 'tools/demo/src/demo.ts', '--compose', '--once'],
      { cwd: root, env: { PATH: dir, HOME: process.env['HOME'] ?? dir } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));

    expect({ code, stderr: stderr.trim() }).toEqual({ code: 1, stderr: `✖ ${NoComposeMessage}` });
    expect(stdout).toContain('Orderly demo on Docker Compose');
  }, 60_000);

  it('starts the stack detached, building the images and waiting for health, and stops it keeping the volumes', () => {
    expect(ComposeCommands.up).toEqual(['compose', 'up', '--detach', '--build', '--wait']);
    expect(ComposeCommands.down).toEqual(['compose', 'down']);
  });
});

describe('where to look next, on the compose stack', () => {
  const target: ComposeDemoTarget = {
    serviceUrls: Object.fromEntries(
      Object.values(Services).map((service, i) => [service, `http://127.0.0.1:${3001 + i}`]),
    ) as ComposeDemoTarget['serviceUrls'],
    grafanaUrl: 'http://127.0.0.1:3000',
    prometheusUrl: 'http://127.0.0.1:9090',
    rabbitmqManagementUrl: 'http://127.0.0.1:15672',
    mailpitUrl: 'http://127.0.0.1:8025',
    adminToken: 'the-admin-token-0123',
    rabbitmqAdmin: { user: 'orderly-admin', password: 'rabbit-secret' },
    grafanaAdmin: { user: 'admin', password: 'grafana-secret' },
    saga: { stepTimeoutMs: 5000, stepMaxAttempts: 3, sweepIntervalMs: 500 },
  };

  it('lists Grafana, Prometheus, RabbitMQ, Mailpit, the API docs and the operator API at their published URLs', () => {
    const text = whereToLookOnCompose(target).join('\n');
    expect(text).toContain(
      'Grafana (dashboards)  http://127.0.0.1:3000  (Dashboards → Orderly; anonymous viewer, admin: user admin, password grafana-secret)',
    );
    expect(text).toContain('Prometheus (alerts)   http://127.0.0.1:9090/alerts');
    expect(text).toContain(
      'RabbitMQ management   http://127.0.0.1:15672/  (user orderly-admin, password rabbit-secret)',
    );
    expect(text).toContain('e-mails (Mailpit)     http://127.0.0.1:8025');
    expect(text).toContain('API docs (OpenAPI)    http://127.0.0.1:3001/docs');
    expect(text).toContain(
      "curl -H 'Authorization: Bearer the-admin-token-0123' http://127.0.0.1:3001/admin/sagas",
    );
    expect(text).toContain('products and stock    curl http://127.0.0.1:3002/products');
    for (const port of [3001, 3002, 3003, 3004]) expect(text).toContain(`http://127.0.0.1:${port}/metrics`);
    expect(text).toContain('docker compose logs -f order-service');
  });
});
