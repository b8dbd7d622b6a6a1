import { type ServiceName, Services } from '@orderly/contracts';
import {
  type DatabaseUrls,
  migrateServiceDatabases,
  OrdersClient,
  type ProcessExit,
  ServiceFleet,
  StackServices,
} from '@orderly/local-stack';
import { freePort } from './free-port';
import { createProvisionedVhost, type ProvisionedVhost } from './provisioned-vhost';
import { createTestDatabase, type TestDatabase } from './test-database';
import { workspaceRoot } from './workspace-root';

export interface TestStackOptions {
  /** Names the vhost and databases (handy when reading the servers during a run). */
  prefix?: string;
  /** Settings per service on top of PORT, DATABASE_URL and AMQP_URL (e.g. short saga deadlines). */
  env?: Partial<Record<ServiceName, Record<string, string>>>;
  /**
   * Rewrites each service's AMQP_URL, e.g. through a `FaultProxy` (`(url) => proxy.url(url)`), so that a
   * fault test can cut, reset or slow the services' broker connections.
   */
  amqpVia?: (amqpUrl: string, service: ServiceName) => string;
  /** Each service's output also goes to `<logDir>/<service>.log` (evidence for a long fault run). */
  logDir?: string;
}

export interface TestStack {
  /** Client of order-service's HTTP API. */
  orders: OrdersClient;
  /** Base URL of a service's HTTP server. */
  url(service: ServiceName): string;
  /** Each service's own database, for asserting the rows it ended with. */
  databaseUrls: DatabaseUrls;
  vhost: ProvisionedVhost;
  fleet: ServiceFleet;
  /** Stops the services (SIGTERM, they drain), then drops the databases and the vhost. */
  stop(): Promise<Array<{ name: string; exit: ProcessExit }>>;
}

/**
 * The whole system for end-to-end tests: the four services' real entry points as processes, against
 * the run's real servers — a vhost provisioned by the broker app (one least-privilege user per
 * service) and one migrated database per service. Start it once per test file; it takes ~10–20 s.
 * The databases are made on the server `ORDERLY_TEST_DATABASE_URL` names when it starts: a file's own
 * server (`startPrivatePostgres`) if one is running, else the run's.
 */
export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  const prefix = options.prefix ?? 'e2e';
  const root = workspaceRoot();
  const databases: TestDatabase[] = [];
  let vhost: ProvisionedVhost | undefined;
  const disposeServers = () =>
    Promise.all([...databases.map((db) => db.dispose()), vhost?.dispose()]).then(() => undefined);
  try {
    const [provisioned, ...created] = await Promise.all([
      createProvisionedVhost(prefix),
      ...StackServices.map((service) => createTestDatabase(`${prefix}_${service.schema}`)),
    ]);
    vhost = provisioned;
    databases.push(...created);
    const databaseUrls = Object.fromEntries(
      StackServices.map((service, index) => [service.schema, created[index]?.url ?? '']),
    ) as DatabaseUrls;
    await migrateServiceDatabases(databaseUrls);

    const amqpVia = options.amqpVia ?? ((url: string) => url);
    const specs = [];
    for (const service of StackServices) {
      specs.push({
        name: service.name,
        port: await freePort(),
        env: {
          DATABASE_URL: databaseUrls[service.schema],
          AMQP_URL: amqpVia(provisioned.amqpUrlFor(service.name), service.name),
          ...options.env?.[service.name],
        },
      });
    }
    const fleet = await new ServiceFleet({ root, services: specs, logDir: options.logDir }).start();
    return {
      orders: new OrdersClient(fleet.url(Services.order)),
      url: (service) => fleet.url(service),
      databaseUrls,
      vhost: provisioned,
      fleet,
      async stop() {
        const exits = await fleet.stop();
        await disposeServers();
        return exits;
      },
    };
  } catch (error) {
    await disposeServers();
    throw error;
  }
}
