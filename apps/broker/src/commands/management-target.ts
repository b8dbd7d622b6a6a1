import { LocalNodeDefaults, LocalNodeEnv, localAdminPassword } from '../broker-settings';
import type { ManagementCredentials } from '../provision/management-client';
import { portOption } from './command';

export interface ManagementTarget {
  url: string;
  credentials: ManagementCredentials;
}

/**
 * The broker a command talks to: `--url` (credentials in it, or from RABBITMQ_ADMIN_USER /
 * RABBITMQ_ADMIN_PASSWORD), or by default the local node of `npm run broker -- start` with its
 * administrator (its generated password unless RABBITMQ_ADMIN_PASSWORD says otherwise).
 */
export function managementTarget(flagUrl: string | undefined, env: NodeJS.ProcessEnv): ManagementTarget {
  const port = portOption(
    undefined,
    env[LocalNodeEnv.managementPort],
    LocalNodeDefaults.managementPort,
    LocalNodeEnv.managementPort,
  );
  const url = new URL(flagUrl ?? `http://127.0.0.1:${port}`);
  const credentials: ManagementCredentials = {
    user: decodeURIComponent(url.username) || env[LocalNodeEnv.adminUser] || LocalNodeDefaults.adminUser,
    password: decodeURIComponent(url.password) || localAdminPassword(env, { generate: false }),
  };
  url.username = '';
  url.password = '';
  return { url: url.toString(), credentials };
}
