import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Services, Topology } from '@orderly/contracts';
import {
  type DatabaseUrls,
  migrateServiceDatabases,
  runWorkspaceScript,
  seedInventory,
  ServiceFleet,
  StackServices,
} from '@orderly/local-stack';
import { Client } from 'pg';
import type { BenchBroker, BenchVhost } from '../../lib/bench-broker';
import { findProcess, type MeteredProcess } from './cpu-meter';
import type { SagaBenchSettings } from './saga-bench-settings';

const workspaceRoot = path.resolve(__dirname, '../../..');

export interface SagaStack {
  /** order-service's HTTP API. */
  orderUrl: string;
  /** The vhost's administrator (may bind a queue of its own to the order events exchange). */
  adminAmqpUrl: string;
  databaseSettings: Record<string, string>;
  vhost: BenchVhost;
  /** The services' processes and PostgreSQL's (postmaster and backends), for CPU accounting. */
  processes(): MeteredProcess[];
  stop(): Promise<void>;
}

/**
 * The whole system for the benchmark, on this machine: the four services' real entry points as
 * processes (`ServiceFleet` of tools/local-stack, as the demo and the e2e tests start them), a vhost of
 * the run's broker provisioned by the broker app's CLI (one least-privilege user per service, prefixed
 * with the vhost's name: users are global), and a PostgreSQL server of the suite's own with durable
 * defaults (fsync, synchronous_commit on) holding one migrated database per service, the inventory
 * seeded, plus one product with enough stock that no success order of the run is refused.
 */
export interface SagaStackOptions {
  /** Tells stacks of one run apart (their folders, vhost and log lines), e.g. `tracing-on`. */
  label?: string;
  /** Extra settings of every service (e.g. the OTEL_* variables that turn tracing on). */
  env?: Record<string, string>;
}

export async function startSagaStack(
  broker: BenchBroker,
  settings: SagaBenchSettings,
  log: (line: string) => void,
  options: SagaStackOptions = {},
): Promise<SagaStack> {
  const { PostgresServer, freePort } = await import('@orderly/local-servers');
  const suffix = options.label ? `${process.pid}-${options.label}` : String(process.pid);
  const dataDir = path.join(workspaceRoot, '.local', 'bench', `saga-postgres-${suffix}`);
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(path.dirname(dataDir), { recursive: true });
  const postgres = new PostgresServer({
    dataDir,
    port: await freePort(),
    password: `bench-${randomBytes(6).toString('hex')}`,
  });
  let vhost: BenchVhost | undefined;
  let userPrefix = '';
  let fleet: ServiceFleet | undefined;
  const stop = async () => {
    await fleet?.stop();
    if (vhost) {
      await Promise.all(
        Topology.services.map((s) => broker.deleteUser(`${userPrefix}${s.name}`).catch(() => undefined)),
      );
      await vhost.dispose().catch(() => undefined);
    }
    await postgres.stop().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    log('starting PostgreSQL (durable defaults) and provisioning a vhost with the broker CLI…');
    const passwords = Object.fromEntries(
      Topology.services.map((s) => [s.name, randomBytes(12).toString('base64url')]),
    );
    const [, provisioned] = await Promise.all([
      postgres.start(),
      (async () => {
        vhost = await broker.createVhost(options.label ? `bench-saga-${options.label}` : 'bench-saga');
        userPrefix = `${vhost.name}.`;
        await provisionVhost(broker.managementUrl, vhost.name, userPrefix, passwords);
        return vhost;
      })(),
    ]);
    const databaseUrls = Object.fromEntries(
      await Promise.all(
        StackServices.map(async (s) => [
          s.schema,
          await createDatabase(postgres.adminUrl, `bench_saga_${s.schema}`),
        ]),
      ),
    ) as DatabaseUrls;
    await migrateServiceDatabases(databaseUrls);
    await seedInventory(databaseUrls.inventory);
    await addBenchProduct(databaseUrls.inventory, settings);
    const databaseSettings = await readDatabaseSettings(databaseUrls.order);

    const specs = [];
    for (const service of StackServices) {
      const amqpUrl = new URL(provisioned.amqpUrl);
      amqpUrl.username = encodeURIComponent(`${userPrefix}${service.name}`);
      amqpUrl.password = encodeURIComponent(passwords[service.name] ?? '');
      specs.push({
        name: service.name,
        port: await freePort(),
        env: {
          DATABASE_URL: databaseUrls[service.schema],
          AMQP_URL: amqpUrl.toString(),
          LOG_LEVEL: settings.serviceLogLevel,
          ...options.env,
          ...(service.name === Services.order ? { ADMIN_TOKEN: randomBytes(16).toString('hex') } : {}),
        },
      });
    }
    log(`starting ${specs.map((s) => s.name).join(', ')}…`);
    const logDir = path.join(workspaceRoot, '.local', 'bench', `saga-logs-${suffix}`);
    mkdirSync(logDir, { recursive: true });
    fleet = new ServiceFleet({ root: workspaceRoot, services: specs, logDir, progress: log });
    await fleet.start();
    return {
      orderUrl: fleet.url(Services.order),
      adminAmqpUrl: provisioned.amqpUrl,
      databaseSettings,
      vhost: provisioned,
      processes() {
        const postmaster = findProcess(dataDir);
        return [
          ...(fleet?.services ?? []).flatMap((s) =>
            s.process.pid ? [{ name: s.name, pid: s.process.pid }] : [],
          ),
          ...(postmaster ? [{ name: 'postgresql', pid: postmaster, withChildren: true }] : []),
        ];
      },
      async stop() {
        await stop();
        rmSync(logDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function provisionVhost(
  managementUrl: string,
  vhost: string,
  userPrefix: string,
  passwords: Record<string, string>,
): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'orderly-bench-provision-'));
  const passwordsFile = path.join(dir, 'passwords.json');
  writeFileSync(passwordsFile, JSON.stringify(passwords), { mode: 0o600 });
  try {
    await runWorkspaceScript(workspaceRoot, 'apps/broker/src/cli.ts', [
      'provision',
      '--url',
      managementUrl,
      '--vhost',
      vhost,
      '--user-prefix',
      userPrefix,
      '--passwords-file',
      passwordsFile,
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function withClient<T>(url: string, use: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

async function createDatabase(serverUrl: string, name: string): Promise<string> {
  await withClient(serverUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The seeded catalogue's largest stock is 1000 units: the bench orders one product of its own. */
async function addBenchProduct(inventoryUrl: string, settings: SagaBenchSettings): Promise<void> {
  const { stockedSku, stockedPriceMinor, currency } = settings.catalog;
  await withClient(inventoryUrl, (client) =>
    client.query(
      `INSERT INTO product (sku, name, price_minor, currency, available, reserved, sold, updated_at)
       VALUES ($1, 'Benchmark widget', $2, $3, $4, 0, 0, now())`,
      [stockedSku, stockedPriceMinor, currency, settings.benchProductStock],
    ),
  );
}

async function readDatabaseSettings(url: string): Promise<Record<string, string>> {
  return withClient(url, async (client) =>
    Object.fromEntries(
      (
        await client.query<{ name: string; setting: string }>(
          `SELECT name, setting FROM pg_settings WHERE name IN ('server_version', 'fsync', 'synchronous_commit', 'shared_buffers', 'max_connections')`,
        )
      ).rows.map((row) => [row.name, row.setting]),
    ),
  );
}
