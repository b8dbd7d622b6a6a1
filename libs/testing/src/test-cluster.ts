import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { RabbitMqCluster, serverFolder } from '@orderly/local-servers';
import { workspaceRoot } from './workspace-root';

export interface TestCluster {
  readonly cluster: RabbitMqCluster;
  /** Stops every node and removes their folders. */
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
  return {
    cluster,
    async stop() {
      await cluster.stop();
      rmSync(baseDir, { recursive: true, force: true });
    },
  };
}
