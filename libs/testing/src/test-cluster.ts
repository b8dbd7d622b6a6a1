import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { RabbitMqCluster, type RabbitMqNode, serverFolder } from '@orderly/local-servers';
import { TestEnv } from './test-servers';
import { workspaceRoot } from './workspace-root';

export interface TestCluster {
  readonly cluster: RabbitMqCluster;
  /**
   * Until `stop()`, `createTestVhost`, `createProvisionedVhost` (so `startTestStack`) and
   * `testBrokerControl` use the cluster's first node, as `startPrivateBroker` does with its node: a
   * vhost and the broker app's topology made there exist on the whole cluster.
   */
  useAsTestBroker(): void;
  /** Stops every node and removes their folders (and gives the test file the run's broker back). */
  stop(): Promise<void>;
}

/**
 * A 3-node RabbitMQ cluster of this test file's own, with the broker app's configuration (20–45 s):
 * for tests of replication (quorum queues losing and regaining a node). Its nodes live under this
 * process's run folder, beside the shared node's; watchdogs stop them if the process dies.
 */
export async function startTestCluster(options: { size?: number } = {}): Promise<TestCluster> {
  const root = workspaceRoot();
  const baseDir = path.join(serverFolder(path.join(root, '.local', 'test-servers')), String(process.pid), 'cluster');
  const cluster = await RabbitMqCluster.start({
    baseDir,
    namePrefix: `orderly-cluster-${process.pid}`,
    size: options.size ?? 3,
    confFile: path.join(root, 'apps/broker/rabbitmq/rabbitmq.conf'),
    enabledPluginsFile: path.join(root, 'apps/broker/rabbitmq/enabled_plugins'),
    adminUser: 'orderly-test-admin',
    adminPassword: `test-${randomBytes(9).toString('base64url')}`,
    settings: { 'disk_free_limit.absolute': '50MB' },
  });
  const names = [TestEnv.amqpUrl, TestEnv.managementUrl, TestEnv.brokerControl] as const;
  let shared: Record<string, string | undefined> | undefined;
  return {
    cluster,
    useAsTestBroker() {
      const [first] = cluster.nodes as [RabbitMqNode];
      shared ??= Object.fromEntries(names.map((name) => [name, process.env[name]]));
      process.env[TestEnv.amqpUrl] = first.amqpUrl;
      process.env[TestEnv.managementUrl] = first.managementUrl;
      process.env[TestEnv.brokerControl] = JSON.stringify(first.controlCommand());
    },
    async stop() {
      // Jest reuses this worker process for other test files: they must see the run's broker again.
      if (shared) {
        for (const name of names) {
          if (shared[name] === undefined) delete process.env[name];
          else process.env[name] = shared[name];
        }
      }
      await cluster.stop();
      rmSync(baseDir, { recursive: true, force: true });
    },
  };
}
