import { LocalNodeDefaults, LocalNodeEnv, localAdminPassword } from '../broker-settings';
import { UsageError } from '../errors/broker-error';
import { managementTarget } from '../commands/management-target';
import { apiPath, ManagementApiError, ManagementClient } from '../provision/management-client';
import { AmqpConnectionError } from './dlq-errors';

export interface AmqpTarget {
  /** amqp://administrator:password@host:port/vhost */
  url: string;
  /** The same without credentials, for messages. */
  shownUrl: string;
  vhost: string;
}

interface Overview {
  listeners?: Array<{ protocol: string; port: number }>;
}

/**
 * Where the DLQ commands connect, as the broker administrator:
 * - `--amqp-url amqp://host:5672`: that listener (credentials in it, else RABBITMQ_ADMIN_USER /
 *   RABBITMQ_ADMIN_PASSWORD, else the local node's administrator (generated password));
 * - otherwise the management API (`--url`, as for `provision`; default the local node) is asked for
 *   its AMQP listener's port, on the management URL's host. The same request checks the credentials
 *   and that the vhost exists, so a mistake is reported in plain words before any AMQP traffic.
 */
export async function resolveAmqpTarget(
  flags: { url?: string; 'amqp-url'?: string },
  vhost: string,
  env: NodeJS.ProcessEnv,
): Promise<AmqpTarget> {
  let url: URL;
  if (flags['amqp-url'] !== undefined) {
    url = parseUrl(flags['amqp-url'], '--amqp-url');
    if (!url.username) {
      url.username = encodeURIComponent(env[LocalNodeEnv.adminUser] || LocalNodeDefaults.adminUser);
      url.password = encodeURIComponent(localAdminPassword(env, { generate: false }));
    }
  } else {
    const management = managementTarget(flags.url, env);
    const api = new ManagementClient(management.url, management.credentials);
    const found = await api.find(apiPath`/vhosts/${vhost}`).catch((error: unknown) => {
      if (error instanceof ManagementApiError && error.status === undefined && flags.url === undefined) {
        throw new AmqpConnectionError(
          `${error.message}: is the local node running (\`npm run broker -- start\`)? For another broker pass --url or --amqp-url`,
          { cause: error },
        );
      }
      throw error;
    });
    if (found === undefined) {
      throw new AmqpConnectionError(
        `no vhost "${vhost}" on ${management.url} (run \`npm run broker -- provision\`, or pass --vhost)`,
      );
    }
    const overview = await api.get<Overview>('/overview');
    const listener = overview.listeners?.find((candidate) => candidate.protocol === 'amqp');
    if (!listener) {
      throw new AmqpConnectionError(
        `the broker at ${management.url} has no plain AMQP listener: give its address with --amqp-url amqps://host:port`,
      );
    }
    url = new URL(`amqp://${new URL(management.url).hostname}:${listener.port}`);
    url.username = encodeURIComponent(management.credentials.user);
    url.password = encodeURIComponent(management.credentials.password);
  }
  url.pathname = `/${encodeURIComponent(vhost)}`;
  const shown = new URL(url);
  shown.username = '';
  shown.password = '';
  return { url: url.toString(), shownUrl: shown.toString(), vhost };
}

function parseUrl(raw: string, flag: string): URL {
  try {
    const url = new URL(raw);
    if (url.protocol === 'amqp:' || url.protocol === 'amqps:') return url;
  } catch {
    // reported below
  }
  throw new UsageError(`${flag} must be an amqp:// or amqps:// URL, got "${raw}"`);
}
