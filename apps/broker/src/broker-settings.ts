import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { serverFolder } from '@orderly/local-servers';
import { MissingCredentialError } from './errors/broker-error';

/** The repository root: this file is apps/broker/src/broker-settings.ts. */
export const workspaceRoot = path.resolve(__dirname, '../../..');

/** Files of the broker app, by role. */
export const BrokerFiles = {
  /** Generated from the topology by `npm run broker -- definitions`; committed. */
  definitions: path.join(workspaceRoot, 'apps/broker/definitions.json'),
  rabbitmqConf: path.join(workspaceRoot, 'apps/broker/rabbitmq/rabbitmq.conf'),
  enabledPlugins: path.join(workspaceRoot, 'apps/broker/rabbitmq/enabled_plugins'),
  dockerfile: path.join(workspaceRoot, 'apps/broker/Dockerfile'),
} as const;

/**
 * The local node of `npm run broker -- start`. Ports are RabbitMQ's usual ones so that URLs in docs and
 * tutorials work; each can be moved by flag or environment variable (see `LocalNodeEnv`).
 */
export const LocalNodeDefaults = {
  /** Data, logs and pid of the node; git-ignored (`.local/`). */
  baseDir: serverFolder(path.join(workspaceRoot, '.local/broker')),
  nodeName: 'orderly@localhost',
  amqpPort: 5672,
  managementPort: 15672,
  prometheusPort: 15692,
  /** Erlang distribution (CLI tools talk to the node through it): RabbitMQ's default is AMQP port + 20000. */
  distPort: 25672,
  adminUser: 'orderly-admin',
  /** Where the local node's generated administrator password is kept (see `localAdminPassword`). */
  adminPasswordFile: 'admin-password',
  /** How long `start` waits for the management API (a first boot takes 15–25 s). */
  startTimeoutMs: 90_000,
} as const;

/** Environment variables the CLI reads; a flag of the same meaning wins over them. */
export const LocalNodeEnv = {
  amqpPort: 'BROKER_AMQP_PORT',
  managementPort: 'BROKER_MANAGEMENT_PORT',
  prometheusPort: 'BROKER_PROMETHEUS_PORT',
  distPort: 'BROKER_DIST_PORT',
  /** Same names as the Docker image's, so one set of variables describes the administrator everywhere. */
  adminUser: 'RABBITMQ_ADMIN_USER',
  adminPassword: 'RABBITMQ_ADMIN_PASSWORD',
} as const;

/**
 * The local node's administrator password: RABBITMQ_ADMIN_PASSWORD when set, else one generated on this
 * machine the first time a node is started and kept (mode 0600) beside the node's data. No fixed default:
 * a password that ships in the repository is known to everyone who reads it.
 */
export function localAdminPassword(env: NodeJS.ProcessEnv, options: { generate: boolean }): string {
  const given = env[LocalNodeEnv.adminPassword];
  if (given) return given;
  const file = path.join(LocalNodeDefaults.baseDir, LocalNodeDefaults.adminPasswordFile);
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (!options.generate) {
    throw new MissingCredentialError(
      `no administrator password: set ${LocalNodeEnv.adminPassword}, or start the local node once ` +
        `(\`npm run broker -- start\`), which generates one in ${file}`,
    );
  }
  const password = randomBytes(18).toString('base64url');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${password}\n`, { mode: 0o600, flag: 'wx' });
  return password;
}
