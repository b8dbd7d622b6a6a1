import { RabbitMqNode } from '@orderly/local-servers';
import { BrokerFiles, LocalNodeDefaults } from '../broker-settings';

export interface LocalNodeSettings {
  baseDir: string;
  amqpPort: number;
  managementPort: number;
  prometheusPort: number;
  distPort: number;
  adminUser: string;
  adminPassword: string;
}

/**
 * The node of `npm run broker -- start`: Orderly's rabbitmq.conf and plugins, data under `.local/broker`,
 * detached so that it outlives the CLI (stop it with `npm run broker -- stop`). The topology is not
 * loaded at boot but provisioned through the management API after it, the way any broker gets it.
 */
export function localNode(settings: LocalNodeSettings): RabbitMqNode {
  return new RabbitMqNode({
    baseDir: settings.baseDir,
    nodeName: LocalNodeDefaults.nodeName,
    amqpPort: settings.amqpPort,
    managementPort: settings.managementPort,
    prometheusPort: settings.prometheusPort,
    distPort: settings.distPort,
    confFile: BrokerFiles.rabbitmqConf,
    enabledPluginsFile: BrokerFiles.enabledPlugins,
    adminUser: settings.adminUser,
    adminPassword: settings.adminPassword,
    detached: true,
    startTimeoutMs: LocalNodeDefaults.startTimeoutMs,
  });
}
