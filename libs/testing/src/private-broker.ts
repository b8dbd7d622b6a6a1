import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { freePorts, RabbitMqNode, serverFolder } from '@orderly/local-servers';
import { TestEnv } from './test-servers';
import { workspaceRoot } from './workspace-root';

export interface PrivateBrokerOptions {
  /** An AMQP-over-TLS listener too, with these PEM files (`createTestCertificates` makes them). */
  tls?: { caFile: string; certFile: string; keyFile: string; requireClientCert?: boolean };
}

export interface PrivateBroker {
  /**
   * `amqpUrl` (of any vhost on this node: credentials and vhost kept) turned into its amqps:// twin on
   * the TLS listener, host `localhost` (the name the test server certificate carries).
   */
  tlsUrl(amqpUrl: string): string;
  /** Stops the node and gives the test file the run's shared broker back. */
  stop(): Promise<void>;
}

/**
 * A RabbitMQ node of this test file's own (~10 s), for tests that stop or restart the broker: doing that
 * to the run's shared node would break test files running at the same time in other workers. Until
 * `stop()`, `createTestVhost`, `createProvisionedVhost` and `testBrokerControl` use this node.
 */
export async function startPrivateBroker(options: PrivateBrokerOptions = {}): Promise<PrivateBroker> {
  const root = workspaceRoot();
  // Under this process's run folder, beside (never in) the shared node's `<pid>/rabbitmq`: jest may run
  // the file in the process that holds the shared node. If the process dies, the next run removes it.
  const baseDir = path.join(
    serverFolder(path.join(root, '.local', 'test-servers')),
    String(process.pid),
    'private-rabbitmq',
  );
  const [amqpPort, managementPort, prometheusPort, distPort, epmdPort, tlsPort] = (await freePorts(6)) as [
    number, number, number, number, number, number,
  ];
  const node = new RabbitMqNode({
    baseDir,
    nodeName: `orderly-private-${process.pid}@localhost`,
    amqpPort,
    managementPort,
    prometheusPort,
    distPort,
    epmdPort,
    confFile: path.join(root, 'apps/broker/rabbitmq/rabbitmq.conf'),
    enabledPluginsFile: path.join(root, 'apps/broker/rabbitmq/enabled_plugins'),
    adminUser: 'orderly-test-admin',
    adminPassword: `test-${randomBytes(9).toString('base64url')}`,
    settings: { 'disk_free_limit.absolute': '50MB' },
    tls: options.tls && { ...options.tls, port: tlsPort },
  });
  await node.start();
  const names = [TestEnv.amqpUrl, TestEnv.managementUrl, TestEnv.brokerControl] as const;
  const shared = Object.fromEntries(names.map((name) => [name, process.env[name]]));
  process.env[TestEnv.amqpUrl] = node.amqpUrl;
  process.env[TestEnv.managementUrl] = node.managementUrl;
  process.env[TestEnv.brokerControl] = JSON.stringify(node.controlCommand());
  return {
    tlsUrl(amqpUrl) {
      const tls = new URL(node.amqpsUrl);
      const url = new URL(amqpUrl);
      url.protocol = 'amqps:';
      url.hostname = tls.hostname;
      url.port = tls.port;
      return url.toString();
    },
    async stop() {
      // Jest reuses this worker process for other test files: they must see the shared broker again.
      for (const name of names) {
        if (shared[name] === undefined) delete process.env[name];
        else process.env[name] = shared[name];
      }
      await node.stop();
      rmSync(baseDir, { recursive: true, force: true });
    },
  };
}
