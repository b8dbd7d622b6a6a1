import { createTestDatabase, type TestDatabase } from './test-database';
import { createProvisionedVhost, type ProvisionedVhost } from './provisioned-vhost';
import { freePort } from './free-port';
import { startServiceProcess } from './service-process';

/**
 * A process start takes seconds (swc compiles, Nest boots). `npm test` runs every project in one jest
 * process, which applies the global 5 s testTimeout rather than the preset's, so the suite sets its own.
 */
const PROCESS_TEST_TIMEOUT_MS = 60_000;

/**
 * The boot contract every Orderly service keeps, as a shared suite: each service's `main.int-spec.ts`
 * calls it for its own app. It runs the real entry point as a process against the run's real servers.
 * `extraEnv`: settings the service requires beyond the common ones (e.g. order-service's ADMIN_TOKEN).
 */
export function serviceBootSuite(app: string, extraEnv: Record<string, string> = {}): void {
  describe(`${app} process`, () => {
    jest.setTimeout(PROCESS_TEST_TIMEOUT_MS);
    let db: TestDatabase;
    let broker: ProvisionedVhost;

    beforeAll(async () => {
      [db, broker] = await Promise.all([createTestDatabase(app), createProvisionedVhost(app)]);
    });
    afterAll(async () => {
      await Promise.all([db?.dispose(), broker?.dispose()]);
    });

    it('starts ready (database and broker up), serves /metrics, stops cleanly on SIGTERM', async () => {
      const port = await freePort();
      const service = startServiceProcess(app, {
        ...extraEnv,
        PORT: String(port),
        DATABASE_URL: db.url,
        // The service's own least-privilege user, as in production.
        AMQP_URL: broker.amqpUrlFor(app),
      });
      try {
        await service.waitForHttp(`http://127.0.0.1:${port}/health/live`);
        const ready = (await service.waitForHttp(`http://127.0.0.1:${port}/health/ready`)) as {
          status: string;
          info: Record<string, { status: string }>;
        };
        expect(ready.status).toBe('ok');
        expect(ready.info['database']?.status).toBe('up');
        expect(ready.info['broker']?.status).toBe('up');
        // Prometheus format: the readiness request just served is counted under its route pattern.
        const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        expect(metrics).toMatch(
          new RegExp(
            `^http_server_request_duration_seconds_count\\{service="${app}",method="GET",route="/health/ready",status_code="200"\\} [1-9]`,
            'm',
          ),
        );
        expect(metrics).toMatch(new RegExp(`^process_cpu_user_seconds_total\\{service="${app}"\\} `, 'm'));
      } finally {
        const exit = await service.stop();
        // Nest re-raises SIGTERM once its graceful shutdown is done, so dying by SIGTERM is the clean end;
        // the output is part of the failure message so that a crash explains itself.
        const clean = exit.code === 0 || exit.signal === 'SIGTERM';
        expect({ exit, output: clean ? '' : service.output() }).toEqual({ exit, output: '' });
        expect(clean).toBe(true);
      }
      const lines = service
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { service?: string; level?: string; msg?: string });
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.every((line) => line.service === app)).toBe(true);
      expect(service.output()).not.toMatch(/^\s*\[Nest\]/m);
    });

    it('is live but not ready while the broker is unreachable', async () => {
      const port = await freePort();
      const closedPort = await freePort();
      const service = startServiceProcess(app, {
        ...extraEnv,
        PORT: String(port),
        DATABASE_URL: db.url,
        AMQP_URL: `amqp://nobody:nothing@127.0.0.1:${closedPort}/`,
      });
      try {
        await service.waitForHttp(`http://127.0.0.1:${port}/health/live`);
        const response = await fetch(`http://127.0.0.1:${port}/health/ready`);
        expect(response.status).toBe(503);
        const body = (await response.json()) as { error: Record<string, { status: string }> };
        expect(body.error['broker']?.status).toBe('down');
      } finally {
        await service.stop();
      }
    });

    it('refuses to start and names each bad setting', async () => {
      const service = startServiceProcess(app, { PORT: 'eighty', AMQP_URL: 'http://broker:5672' });
      const exit = await service.exited;
      expect(exit.code).toBe(78);
      const output = service.output();
      expect(output).toContain('refuses to start');
      expect(output).toMatch(/DATABASE_URL: missing/);
      expect(output).toMatch(/AMQP_URL: must be an amqp:\/\/ or amqps:\/\/ URL/);
      expect(output).toMatch(/PORT: /);
    });
  });
}
