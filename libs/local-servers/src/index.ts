export { RabbitMqNode } from './rabbitmq-node';
export type { RabbitMqNodeOptions } from './rabbitmq-node-options';
export { RabbitMqCluster } from './rabbitmq-cluster';
export type { RabbitMqClusterOptions } from './rabbitmq-cluster';
export { createTestCertificates } from './test-certificates';
export type { TestCertificates } from './test-certificates';
export type { RabbitMqNodeStatus } from './rabbitmq-node-control';
export { PostgresServer } from './postgres-server';
export type { PostgresServerOptions } from './postgres-server';
export { freePort, freePorts } from './free-port';
export { serverFolder } from './server-folder';
export { LocalServerError } from './errors/local-server.error';
export { RabbitMqNotInstalledError } from './errors/rabbitmq-not-installed.error';
export { ServerStartError } from './errors/server-start.error';
export type { ServerKind, ServerStartFailure } from './errors/server-start.error';
// Internal: config derivation, definitions merging, epmd, the watchdog, process helpers.
