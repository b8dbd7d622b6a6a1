import { randomBytes } from 'node:crypto';
import { TestEnv } from './test-servers';
import { testEnv } from './test-env';

export interface TestVhost {
  vhost: string;
  /** amqp:// URL of the test administrator into this vhost. */
  amqpUrl: string;
  /** http://user:pass@host:port of the management API (administrator). */
  managementUrl: string;
  /** Calls the management API (path relative to /api), throwing on a non-2xx answer. */
  api<T = unknown>(method: string, apiPath: string, body?: unknown): Promise<T>;
  dispose(): Promise<void>;
}

/**
 * An isolated vhost for one test file, so test files can run side by side on one broker and never see
 * each other's queues. Delete it in afterAll with `dispose()`.
 */
export async function createTestVhost(prefix = 'test'): Promise<TestVhost> {
  const managementUrl = testEnv(TestEnv.managementUrl);
  const amqpBase = new URL(testEnv(TestEnv.amqpUrl));
  const vhost = `${prefix}-${randomBytes(4).toString('hex')}`;
  const api = managementApi(managementUrl);
  const admin = decodeURIComponent(new URL(managementUrl).username);

  await api('PUT', `/vhosts/${encodeURIComponent(vhost)}`, {});
  await api('PUT', `/permissions/${encodeURIComponent(vhost)}/${encodeURIComponent(admin)}`, {
    configure: '.*',
    write: '.*',
    read: '.*',
  });
  const amqpUrl = new URL(amqpBase);
  amqpUrl.pathname = `/${encodeURIComponent(vhost)}`;

  return {
    vhost,
    amqpUrl: amqpUrl.toString(),
    managementUrl,
    api,
    dispose: () => api('DELETE', `/vhosts/${encodeURIComponent(vhost)}`).then(() => undefined),
  };
}

/** A tiny client of RabbitMQ's management HTTP API authenticated by the URL's user info. */
export function managementApi(managementUrl: string) {
  const url = new URL(managementUrl);
  const auth = Buffer.from(
    `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`,
  ).toString('base64');
  const base = `${url.protocol}//${url.host}/api`;
  return async function api<T = unknown>(method: string, apiPath: string, body?: unknown): Promise<T> {
    const response = await fetch(`${base}${apiPath}`, {
      method,
      headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) {
      throw new Error(`management API ${method} ${apiPath}: ${response.status} ${await response.text()}`);
    }
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  };
}
