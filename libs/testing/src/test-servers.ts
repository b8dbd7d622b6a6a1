import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { PostgresServer, RabbitMqNode } from '@orderly/local-servers';
import { freePort } from './free-port';
import { workspaceRoot } from './workspace-root';

/**
 * The environment variables through which test files find the servers of this run. Set by
 * `startTestServers` (or by a developer who points tests at servers of their own).
 */
export const TestEnv = {
  amqpUrl: 'ORDERLY_TEST_AMQP_URL',
  managementUrl: 'ORDERLY_TEST_MANAGEMENT_URL',
  databaseUrl: 'ORDERLY_TEST_DATABASE_URL',
} as const;

export interface RunningTestServers {
  env: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * Starts a throw-away RabbitMQ node (with the broker app's own rabbitmq.conf) and PostgreSQL server on
 * free ports, under `.local/test-servers/<pid>`. Both start in parallel: RabbitMQ takes ~15 s.
 */
export async function startTestServers(log: (line: string) => void = () => undefined): Promise<RunningTestServers> {
  const root = workspaceRoot();
  const base = path.join(root, '.local', 'test-servers', String(process.pid));
  rmSync(base, { recursive: true, force: true });
  mkdirSync(base, { recursive: true });
  const adminPassword = `test-${Math.random().toString(36).slice(2)}`;

  const rabbit = new RabbitMqNode({
    baseDir: path.join(base, 'rabbitmq'),
    nodeName: `orderly-test-${process.pid}@localhost`,
    amqpPort: await freePort(),
    managementPort: await freePort(),
    prometheusPort: await freePort(),
    distPort: await freePort(),
    confFile: path.join(root, 'apps/broker/rabbitmq/rabbitmq.conf'),
    enabledPluginsFile: path.join(root, 'apps/broker/rabbitmq/enabled_plugins'),
    adminUser: 'orderly-test-admin',
    adminPassword,
  });
  const postgres = new PostgresServer({
    dataDir: path.join(base, 'postgres'),
    port: await freePort(),
    password: adminPassword,
  });

  log('starting RabbitMQ and PostgreSQL for the tests…');
  const started = Date.now();
  const results = await Promise.allSettled([rabbit.start(), postgres.start()]);
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) {
    await Promise.allSettled([rabbit.stop(), postgres.stop()]);
    throw failure.reason;
  }
  log(`test servers ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  return {
    env: {
      [TestEnv.amqpUrl]: rabbit.amqpUrl,
      [TestEnv.managementUrl]: rabbit.managementUrl,
      [TestEnv.databaseUrl]: postgres.adminUrl,
    },
    async stop() {
      await Promise.allSettled([rabbit.stop(), postgres.stop()]);
      rmSync(base, { recursive: true, force: true });
    },
  };
}
