import { randomBytes } from 'node:crypto';
import { createProvisionedVhost, type ProvisionedVhost } from './provisioned-vhost';
import { createTestDatabase, type TestDatabase } from './test-database';
import { freePort } from './free-port';
import { startServiceProcess, type ServiceProcess } from './service-process';

const PROCESS_TEST_TIMEOUT_MS = 60_000;

/** Larger than any body limit a service may set (Express' default is 100 kB), well under a test's memory. */
const OVERSIZED_BODY_BYTES = 2 * 1024 * 1024;

export interface ServiceSecuritySuiteOptions {
  /** The service has an operator API behind `ADMIN_TOKEN` (order-service): its token must never be logged either. */
  adminToken?: boolean;
}

/** Every way a secret could appear in a log: as given, URL-encoded (inside a URL), base64 (Basic auth). */
function leaksOf(output: string, secrets: Record<string, string>): string[] {
  return Object.entries(secrets).flatMap(([name, secret]) =>
    [secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64')]
      .filter((form, i, forms) => forms.indexOf(form) === i && output.includes(form))
      .map(() => name),
  );
}

/**
 * The security contract every Orderly service keeps, as a shared suite: each service's
 * `security.int-spec.ts` calls it. The real entry point runs as a process with known secrets, and its
 * whole output (stdout and stderr) is searched for them.
 */
export function serviceSecuritySuite(app: string, options: ServiceSecuritySuiteOptions = {}): void {
  describe(`${app} process security`, () => {
    jest.setTimeout(PROCESS_TEST_TIMEOUT_MS);
    let db: TestDatabase;
    let broker: ProvisionedVhost;

    beforeAll(async () => {
      [db, broker] = await Promise.all([createTestDatabase(app), createProvisionedVhost(app)]);
    });
    afterAll(async () => {
      await Promise.all([db?.dispose(), broker?.dispose()]);
    });

    async function startReady(): Promise<{ service: ServiceProcess; port: number; secrets: Record<string, string> }> {
      const port = await freePort();
      const amqpUrl = broker.amqpUrlFor(app);
      const secrets: Record<string, string> = {
        'the broker password (AMQP_URL)': decodeURIComponent(new URL(amqpUrl).password),
        'the database password (DATABASE_URL)': decodeURIComponent(new URL(db.url).password),
      };
      const adminToken = `admin-${randomBytes(18).toString('base64url')}`;
      if (options.adminToken) secrets['ADMIN_TOKEN'] = adminToken;
      const service = startServiceProcess(app, {
        PORT: String(port),
        DATABASE_URL: db.url,
        AMQP_URL: amqpUrl,
        // Debug: the most a service ever logs.
        LOG_LEVEL: 'debug',
        ...(options.adminToken ? { ADMIN_TOKEN: adminToken } : {}),
      });
      await service.waitForHttp(`http://127.0.0.1:${port}/health/ready`);
      return { service, port, secrets };
    }

    it('never writes its passwords or tokens to its output: boot, broker connection, requests, shutdown', async () => {
      const { service, port, secrets } = await startReady();
      try {
        // Requests that are logged: a 404, and operator calls carrying the token (right and wrong).
        await fetch(`http://127.0.0.1:${port}/no-such-route`);
        if (options.adminToken) {
          await fetch(`http://127.0.0.1:${port}/admin/sagas`, { headers: { authorization: `Bearer ${secrets['ADMIN_TOKEN']}` } });
          await fetch(`http://127.0.0.1:${port}/admin/sagas`, { headers: { authorization: 'Bearer wrong-token-wrong-token' } });
        }
      } finally {
        await service.stop();
      }
      const output = service.output();
      // The log did talk about the connections whose URLs carry the passwords (else this proves nothing).
      expect(output).toMatch(/connected to broker/);
      const leaked = leaksOf(output, secrets);
      // On failure, the offending lines are shown with what leaked.
      const lines = output.split('\n').filter((line) => Object.values(secrets).some((secret) => line.includes(secret)));
      expect({ leaked, lines }).toEqual({ leaked: [], lines: [] });
    });

    it('rejects a request body over the size limit with 413, before any handler runs', async () => {
      const { service, port } = await startReady();
      try {
        const oversized = JSON.stringify({ padding: 'x'.repeat(OVERSIZED_BODY_BYTES) });
        const response = await fetch(`http://127.0.0.1:${port}/health/live`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: oversized,
        });
        expect(response.status).toBe(413);
        // The same request with a small body is not refused for its size.
        const small = await fetch(`http://127.0.0.1:${port}/health/live`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        });
        expect(small.status).not.toBe(413);
      } finally {
        await service.stop();
      }
    });

    it('refuses to start on bad settings, naming each one without printing the secret in it', async () => {
      const secrets: Record<string, string> = {
        'the password in DATABASE_URL': `db-${randomBytes(12).toString('base64url')}`,
        'the password in AMQP_URL': `mq-${randomBytes(12).toString('base64url')}`,
      };
      const env: Record<string, string> = {
        // Wrong schemes: invalid, and each carries a password.
        DATABASE_URL: `mysql://svc:${secrets['the password in DATABASE_URL']}@db.example:3306/orders`,
        AMQP_URL: `http://svc:${secrets['the password in AMQP_URL']}@broker.example:5672/orderly`,
      };
      if (options.adminToken) {
        secrets['ADMIN_TOKEN'] = `t-${randomBytes(5).toString('hex')}`; // too short: invalid
        env['ADMIN_TOKEN'] = secrets['ADMIN_TOKEN'];
      }
      const service = startServiceProcess(app, env);
      const exit = await service.exited;
      const output = service.output();
      expect(exit.code).toBe(78);
      for (const key of Object.keys(env)) expect(output).toMatch(new RegExp(`${key}: `));
      expect(leaksOf(output, secrets)).toEqual([]);
    });
  });
}
