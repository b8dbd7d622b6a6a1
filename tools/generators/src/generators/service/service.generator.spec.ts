import { readProjectConfiguration } from '@nx/devkit';
import { parse } from 'yaml';
import { readWorkspaceFile, text, workspaceTree } from '../../test-support/workspace-tree';
import { migrationTimestamp, serviceGenerator } from './service.generator';

describe('service generator', () => {
  const generate = (name = 'shipping-service', extra: { port?: number } = {}) => {
    const tree = workspaceTree();
    serviceGenerator(tree, { name, skipPostSteps: true, ...extra });
    return tree;
  };

  it('creates an app wired like the others, tagged as an app of its own scope', () => {
    const tree = generate();
    const project = readProjectConfiguration(tree, 'shipping-service');
    expect(project.root).toBe('apps/shipping-service');
    expect(project.tags).toEqual(['type:app', 'scope:shipping']);
    for (const file of [
      'main.ts',
      'telemetry.ts',
      'app.module.ts',
      'main.int-spec.ts',
      'config/shipping-service.config.ts',
      'config/shipping-service.config.spec.ts',
    ]) {
      expect(tree.exists(`apps/shipping-service/src/${file}`)).toBe(true);
    }
    const module = text(tree, 'apps/shipping-service/src/app.module.ts');
    for (const wiring of [
      'MessagingModule.forRootAsync',
      'OutboxModule.forRootAsync',
      'HealthModule.forRoot',
      'MetricsModule.forRoot',
      'TelemetryModule',
      "from '@orderly/shipping-db'",
    ]) {
      expect(module).toContain(wiring);
    }
    expect(text(tree, 'apps/shipping-service/src/main.ts')).toMatch(/^import '\.\/telemetry';/);
    expect(text(tree, 'apps/shipping-service/src/main.int-spec.ts')).toContain(
      "serviceBootSuite('shipping-service')",
    );
    expect(text(tree, 'apps/shipping-service/README.md')).toContain('# shipping-service');
  });

  it('gives it a database: schema, outbox copy identical to what `db sync` writes, a baseline migration and a client alias', () => {
    const tree = generate();
    expect(text(tree, 'prisma/shipping/outbox.prisma')).toBe(
      readWorkspaceFile('prisma/notification/outbox.prisma'),
    );
    expect(text(tree, 'prisma/shipping/schema.prisma')).toContain('output       = "./generated"');
    const migrations = tree.children('prisma/shipping/migrations').sort();
    expect(migrations).toEqual([expect.stringMatching(/^\d{14}_init$/), 'migration_lock.toml']);
    expect(text(tree, `prisma/shipping/migrations/${migrations[0]}/migration.sql`)).toMatch(
      /CREATE TABLE "outbox"[\s\S]*CREATE TABLE "inbox"/,
    );
    const paths = JSON.parse(text(tree, 'tsconfig.base.json')).compilerOptions.paths;
    expect(paths['@orderly/shipping-db']).toEqual(['prisma/shipping/generated/client.ts']);
    const before = Object.keys(JSON.parse(readWorkspaceFile('tsconfig.base.json')).compilerOptions.paths);
    // Only the new alias is added, in order; the others keep their hand-kept order.
    const after = Object.keys(paths);
    expect(after.filter((alias) => alias !== '@orderly/shipping-db')).toEqual(before);
    expect(after[after.indexOf('@orderly/shipping-db') - 1]).toBe('@orderly/saga');
  });

  it('declares its exchanges, queue and user in the topology data, by name constants', () => {
    const tree = generate();
    const names = text(tree, 'libs/contracts/src/topology/names.ts');
    expect(names).toContain("shippingCommands: 'shipping.commands',");
    expect(names).toContain("shippingEvents: 'shipping.events',");
    expect(names).toContain("shippingCommands: 'shipping-service.commands',");
    expect(names).toContain("shipping: 'shipping-service',");
    const topology = text(tree, 'libs/contracts/src/topology/topology.ts');
    expect(topology).toContain(
      "{ name: Exchanges.shippingCommands, type: 'direct', owner: Services.shipping },",
    );
    expect(topology).toContain(
      "{ name: Exchanges.shippingEvents, type: 'topic', owner: Services.shipping },",
    );
    expect(topology).toMatch(
      /name: Queues\.shippingCommands,\s+owner: Services\.shipping,\s+\.\.\.QueueDefaults,/,
    );
    expect(topology).toContain('// @orderly/tools:messages:shipping-service.commands');
    expect(topology).toContain('{ name: Services.shipping, publishesTo: [Exchanges.shippingEvents] },');
    // The markers stay, so the next service lands after this one.
    expect(topology.match(/\/\/ @orderly\/tools:topology-/g)).toHaveLength(3);
  });

  it('adds it to the compose stack on the next free port, with its secrets and database', () => {
    const tree = generate();
    const compose = parse(text(tree, 'docker-compose.yml'), { merge: true });
    expect(compose.services['shipping-service']).toMatchObject({
      build: {
        context: '.',
        dockerfile: 'tools/docker/service.Dockerfile',
        args: { SERVICE: 'shipping-service', PORT: '3005' },
      },
      image: 'orderly/shipping-service:local',
      ports: ['127.0.0.1:3005:3005'],
      environment: {
        PORT: '3005',
        AMQP_URL:
          'amqp://shipping-service:${BROKER_PASSWORD_SHIPPING_SERVICE:?set it in .env (see .env.example)}@broker:5672/orderly',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4318',
      },
    });
    expect(compose.services['shipping-service'].environment.DATABASE_URL).toContain(
      '@postgres:5432/shipping_service',
    );
    expect(compose.services.broker.environment).toHaveProperty('BROKER_PASSWORD_SHIPPING_SERVICE');
    expect(compose.services.postgres.environment).toHaveProperty('SHIPPING_SERVICE_DB_PASSWORD');
    expect(text(tree, 'tools/docker/postgres/create-service-databases.sh')).toMatch(
      /^for service in order inventory payment notification shipping; do$/m,
    );
    expect(text(tree, '.env.example')).toMatch(
      /^BROKER_PASSWORD_SHIPPING_SERVICE=change-me-broker-shipping$/m,
    );
    expect(text(tree, '.env.example')).toMatch(/^SHIPPING_SERVICE_DB_PASSWORD=change-me-db-shipping$/m);
  });

  it('adds a Prometheus scrape target to the services job', () => {
    const tree = generate('shipping-service', { port: 3100 });
    const prometheus = parse(text(tree, 'grafana/prometheus/prometheus.yml'));
    const job = prometheus.scrape_configs.find(
      (j: { job_name: string }) => j.job_name === 'orderly-services',
    );
    expect(job.static_configs[0].targets).toContain('shipping-service:3100');
  });

  it('refuses a name that does not follow the conventions, and a service that exists', () => {
    expect(() => generate('Shipping')).toThrow(/must be kebab-case and end in -service/);
    const tree = generate();
    expect(() => serviceGenerator(tree, { name: 'shipping-service', skipPostSteps: true })).toThrow(
      /already exists/,
    );
  });

  it('names migrations the way Prisma does', () => {
    expect(migrationTimestamp(new Date('2026-11-25T14:03:09.123Z'))).toBe('20261125140309');
  });
});
