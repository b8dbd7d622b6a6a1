import path from 'node:path';
import { LocalNodeDefaults, LocalNodeEnv, localAdminPassword } from '../broker-settings';
import type { LocalNodeSettings } from '../node/local-node';
import { portOption } from './command';

/** Flags shared by `start`, `stop` and `status` (parseArgs option specs). */
export const LocalNodeFlags = {
  dir: { type: 'string' },
} as const;

export const LocalNodeFlagsHelp = `  --dir <path>              the node's folder (default: .local/broker)`;

export const PortFlags = {
  'amqp-port': { type: 'string' },
  'management-port': { type: 'string' },
  'prometheus-port': { type: 'string' },
  'dist-port': { type: 'string' },
} as const;

export const PortFlagsHelp = `  --amqp-port <port>        default ${LocalNodeDefaults.amqpPort}, or ${LocalNodeEnv.amqpPort}
  --management-port <port>  default ${LocalNodeDefaults.managementPort}, or ${LocalNodeEnv.managementPort}
  --prometheus-port <port>  default ${LocalNodeDefaults.prometheusPort}, or ${LocalNodeEnv.prometheusPort}
  --dist-port <port>        Erlang distribution, default ${LocalNodeDefaults.distPort}, or ${LocalNodeEnv.distPort}`;

export const nodeDirOf = (flag: string | undefined): string =>
  flag ? path.resolve(flag) : LocalNodeDefaults.baseDir;

/** The local node's settings from flags, then environment, then defaults. */
export function localNodeSettings(
  flags: {
    dir?: string;
    'amqp-port'?: string;
    'management-port'?: string;
    'prometheus-port'?: string;
    'dist-port'?: string;
  },
  env: NodeJS.ProcessEnv,
): LocalNodeSettings {
  return {
    baseDir: nodeDirOf(flags.dir),
    amqpPort: portOption(
      flags['amqp-port'],
      env[LocalNodeEnv.amqpPort],
      LocalNodeDefaults.amqpPort,
      '--amqp-port',
    ),
    managementPort: portOption(
      flags['management-port'],
      env[LocalNodeEnv.managementPort],
      LocalNodeDefaults.managementPort,
      '--management-port',
    ),
    prometheusPort: portOption(
      flags['prometheus-port'],
      env[LocalNodeEnv.prometheusPort],
      LocalNodeDefaults.prometheusPort,
      '--prometheus-port',
    ),
    distPort: portOption(
      flags['dist-port'],
      env[LocalNodeEnv.distPort],
      LocalNodeDefaults.distPort,
      '--dist-port',
    ),
    adminUser: env[LocalNodeEnv.adminUser] || LocalNodeDefaults.adminUser,
    adminPassword: localAdminPassword(env, { generate: true }),
  };
}
