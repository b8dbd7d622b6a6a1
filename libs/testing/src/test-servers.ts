import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import {
  freePort,
  PostgresServer,
  RabbitMqNode,
  ServerStartError,
  serverFolder,
} from '@orderly/local-servers';
import { workspaceRoot } from './workspace-root';

/**
 * The environment variables through which test files find the servers of this run. Set by
 * `startTestServers` (or by a developer who points tests at servers of their own).
 */
export const TestEnv = {
  amqpUrl: 'ORDERLY_TEST_AMQP_URL',
  managementUrl: 'ORDERLY_TEST_MANAGEMENT_URL',
  databaseUrl: 'ORDERLY_TEST_DATABASE_URL',
  /** JSON `{ command, env }`: how to run rabbitmqctl against the run's node (fault tests restart it). */
  brokerControl: 'ORDERLY_TEST_BROKER_CONTROL',
} as const;

export interface RunningTestServers {
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** A free port can be taken by someone else before the server binds it: start again on new ones, once. */
const StartAttempts = 2;

/**
 * Starts a throw-away RabbitMQ node (with the broker app's own rabbitmq.conf) and PostgreSQL server on
 * free ports, under `.local/test-servers/<pid>`. Both start in parallel: RabbitMQ takes 8–25 s.
 * If this process dies without calling `stop()`, watchdogs stop both servers.
 */
export async function startTestServers(
  log: (line: string) => void = () => undefined,
): Promise<RunningTestServers> {
  const root = workspaceRoot();
  const runsDir = serverFolder(path.join(root, '.local', 'test-servers'));
  await removeAbandonedRuns(runsDir, log);
  const base = path.join(runsDir, String(process.pid));
  rmSync(base, { recursive: true, force: true });
  mkdirSync(base, { recursive: true });
  const adminPassword = `test-${randomBytes(9).toString('base64url')}`;

  log('starting RabbitMQ and PostgreSQL for the tests…');
  const started = Date.now();
  const results = await Promise.allSettled([
    startWithRetry(async () => {
      const rabbit = new RabbitMqNode({
        baseDir: path.join(base, 'rabbitmq'),
        nodeName: `orderly-test-${process.pid}@localhost`,
        amqpPort: await freePort(),
        managementPort: await freePort(),
        prometheusPort: await freePort(),
        distPort: await freePort(),
        // An epmd of its own: the run neither depends on nor disturbs Erlang nodes of the machine.
        epmdPort: await freePort(),
        confFile: path.join(root, 'apps/broker/rabbitmq/rabbitmq.conf'),
        enabledPluginsFile: path.join(root, 'apps/broker/rabbitmq/enabled_plugins'),
        adminUser: 'orderly-test-admin',
        adminPassword,
        // The broker's 1GB disk floor would block every publisher of the run on a developer machine
        // with less free disk, and tests would hang instead of failing; RabbitMQ's default is enough
        // for a node whose data is deleted after the run.
        settings: { 'disk_free_limit.absolute': '50MB' },
      });
      await rabbit.start();
      return rabbit;
    }),
    startWithRetry(async () => {
      const postgres = new PostgresServer({
        dataDir: path.join(base, 'postgres'),
        port: await freePort(),
        password: adminPassword,
        ephemeral: true,
      });
      await postgres.start();
      return postgres;
    }),
  ]);
  const [rabbit, postgres] = results.map((r) => (r.status === 'fulfilled' ? r.value : undefined)) as [
    RabbitMqNode | undefined,
    PostgresServer | undefined,
  ];
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure || !rabbit || !postgres) {
    await Promise.allSettled([rabbit?.stop(), postgres?.stop()]);
    rmSync(base, { recursive: true, force: true });
    throw failure?.reason;
  }
  log(`test servers ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  return {
    env: {
      [TestEnv.amqpUrl]: rabbit.amqpUrl,
      [TestEnv.managementUrl]: rabbit.managementUrl,
      [TestEnv.databaseUrl]: postgres.adminUrl,
      [TestEnv.brokerControl]: JSON.stringify(rabbit.controlCommand()),
    },
    async stop() {
      await Promise.allSettled([rabbit.stop(), postgres.stop()]);
      rmSync(base, { recursive: true, force: true });
    },
  };
}

async function startWithRetry<T>(start: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await start();
    } catch (error) {
      if (!(error instanceof ServerStartError && error.reason === 'port-in-use') || attempt >= StartAttempts)
        throw error;
    }
  }
}

/**
 * Folders of runs whose jest process is gone (killed before its teardown). Their watchdogs have stopped
 * the servers; this makes sure of it and deletes the folders.
 */
async function removeAbandonedRuns(runsDir: string, log: (line: string) => void): Promise<void> {
  if (!existsSync(runsDir)) return;
  for (const entry of readdirSync(runsDir)) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid || processExists(pid)) continue;
    const folder = path.join(runsDir, entry);
    if (await RabbitMqNode.stopExisting(path.join(folder, 'rabbitmq')))
      log(`stopped a RabbitMQ node left by run ${pid}`);
    if (await PostgresServer.stopExisting(path.join(folder, 'postgres')))
      log(`stopped a PostgreSQL left by run ${pid}`);
    rmSync(folder, { recursive: true, force: true });
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
