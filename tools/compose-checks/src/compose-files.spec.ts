import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Services } from '@orderly/contracts';
import {
  buildProblems,
  dependencyProblems,
  dockerfileProblems,
  mountProblems,
  observabilityProblems,
  portProblems,
  schemaProblems,
  secretProblems,
  serviceEnvironmentProblems,
  variableProblems,
} from './compose-checks';
import {
  dependenciesOf,
  effectiveModel,
  environmentOf,
  loadProject,
  repoRoot,
  type ComposeProject,
} from './compose-project';
import { DockerIgnore } from './dockerignore';
import { loadServiceConfigs, requiredSettings } from './service-configs';

// The repository's compose files, read as `docker compose` reads them with a .env copied from
// .env.example: each check must find nothing. (compose-checks.spec.ts shows that each check does find
// the fault it is for.)
const composeFile = path.join(repoRoot, 'docker-compose.yml');
const clusterFile = path.join(repoRoot, 'docker-compose.cluster.yml');
const envExample = path.join(repoRoot, '.env.example');
const configs = loadServiceConfigs(path.join(repoRoot, 'apps'));

const stacks: Array<[string, ComposeProject]> = [
  ['docker-compose.yml', loadProject([composeFile], envExample)],
  ['docker-compose.yml + docker-compose.cluster.yml', loadProject([composeFile, clusterFile], envExample)],
];

describe.each(stacks)('%s', (_title, project) => {
  const model = effectiveModel(project);

  it('is valid against the Compose specification schema', () => {
    expect(schemaProblems(project)).toEqual([]);
  });

  it('builds from contexts and Dockerfiles that exist, copying only files the context holds', () => {
    expect(buildProblems(project, model)).toEqual([]);
  });

  it('mounts only files and folders that exist, and declares its named volumes', () => {
    expect(mountProblems(project, model)).toEqual([]);
  });

  it('publishes each host port once', () => {
    expect(portProblems(model)).toEqual([]);
  });

  it('starts in an order that can be met: known services, health checks where health is awaited, no cycle', () => {
    expect(dependencyProblems(project, model)).toEqual([]);
  });

  it('gives each service every setting its configuration schema requires, with no misspelt setting', () => {
    expect(serviceEnvironmentProblems(model, configs)).toEqual([]);
  });

  it('builds the services on Node 24, as a non-root user, with a health check on /health/ready', () => {
    expect(dockerfileProblems(project, model, configs.keys())).toEqual([]);
  });

  it('wires Grafana provisioning, datasources and Prometheus to files and services that exist', () => {
    expect(observabilityProblems(project, model)).toEqual([]);
  });
});

describe('the compose files together', () => {
  const [, full] = stacks[1] as [string, ComposeProject];

  it('use only variables listed in .env.example, and .env.example lists none they do not use', () => {
    expect(variableProblems(full)).toEqual([]);
  });

  it('commit no secret: placeholders only, each secret required, .env ignored, no guest account', () => {
    expect(secretProblems(full, repoRoot)).toEqual([]);
  });

  it('stop compose without a .env, saying which variable to set and where', () => {
    expect(schemaProblems({ ...full, env: {} })).toEqual([
      'docker-compose.yml: required variable RABBITMQ_ADMIN_PASSWORD is missing a value: set it in .env (see .env.example)',
      'docker-compose.cluster.yml: required variable RABBITMQ_ADMIN_PASSWORD is missing a value: set it in .env (see .env.example)',
    ]);
  });
});

describe('wiring of the stack', () => {
  const model = effectiveModel(stacks[0]?.[1] as ComposeProject);
  const service = (name: string) => model.services?.[name] ?? {};

  it('finds every service and its required settings in their configuration schemas', () => {
    expect([...configs.keys()].filter((name) => name.endsWith('-service')).sort()).toEqual(
      Object.values(Services).sort(),
    );
    for (const config of configs.values())
      expect(requiredSettings(config)).toEqual(expect.arrayContaining(['DATABASE_URL', 'AMQP_URL']));
  });

  it.each(Object.keys(Services))(
    '%s-service reaches its own database with its own role, and the broker as its own user',
    (context) => {
      const app = Services[context as keyof typeof Services];
      const environment = environmentOf(service(app));
      const database = new URL(environment['DATABASE_URL'] as string);
      const role = `${context}_service`;
      expect({ host: database.hostname, user: database.username, path: database.pathname }).toEqual({
        host: 'postgres',
        user: role,
        path: `/${role}`,
      });
      // The init script creates the role with the password PostgreSQL's container is given.
      expect(environmentOf(service('postgres'))[`${role.toUpperCase()}_DB_PASSWORD`]).toBe(database.password);
      const initScript = readFileSync(
        path.join(repoRoot, 'tools/docker/postgres/create-service-databases.sh'),
        'utf8',
      );
      expect(initScript).toMatch(new RegExp(`for service in [a-z ]*\\b${context}\\b`));

      const amqp = new URL(environment['AMQP_URL'] as string);
      expect({ host: amqp.hostname, user: amqp.username, vhost: amqp.pathname }).toEqual({
        host: 'broker',
        user: app,
        vhost: '/orderly',
      });
      const brokerVariable = `BROKER_PASSWORD_${app.toUpperCase().replace(/-/g, '_')}`;
      expect(environmentOf(service('broker'))[brokerVariable]).toBe(amqp.password);
    },
  );

  it('runs three broker nodes sharing one cookie, each named in the peer discovery configuration', () => {
    const cluster = effectiveModel(stacks[1]?.[1] as ComposeProject);
    const nodes = ['broker', 'broker-2', 'broker-3'].map((name) => cluster.services?.[name] ?? {});
    const cookies = nodes.map((node) => environmentOf(node)['RABBITMQ_ERLANG_COOKIE']);
    expect(new Set(cookies).size).toBe(1);
    expect(cookies[0]).toBeTruthy();
    const conf = readFileSync(path.join(repoRoot, 'tools/docker/rabbitmq-cluster/40-cluster.conf'), 'utf8');
    const members = [
      ...conf.matchAll(/^cluster_formation\.classic_config\.nodes\.\d+\s*=\s*rabbit@(\S+)/gm),
    ].map((m) => m[1]);
    expect(members.sort()).toEqual(nodes.map((node) => node.hostname).sort());
    for (const node of nodes) {
      expect(node.volumes).toContain(
        './tools/docker/rabbitmq-cluster/40-cluster.conf:/etc/rabbitmq/conf.d/40-cluster.conf:ro',
      );
    }
  });

  it('declares every work queue of the topology as a quorum queue, which the cluster replicates', () => {
    const definitions = JSON.parse(
      readFileSync(path.join(repoRoot, 'apps/broker/definitions.json'), 'utf8'),
    ) as {
      queues: Array<{ name: string; arguments: Record<string, unknown> }>;
    };
    const workQueues = definitions.queues.filter((queue) => !queue.name.endsWith('.dlq'));
    expect(workQueues.length).toBeGreaterThan(0);
    expect(
      workQueues.filter((queue) => queue.arguments['x-queue-type'] !== 'quorum').map((q) => q.name),
    ).toEqual([]);
  });
});

// `npm run demo -- --compose` (tools/demo) starts this stack with `docker compose up --wait` and places
// sample orders on it: what it relies on, checked here since Docker cannot run on the build machines.
describe('ready for npm run demo -- --compose', () => {
  const model = effectiveModel(stacks[0]?.[1] as ComposeProject);
  const services = Object.entries(model.services ?? {});
  const entrypoint = readFileSync(path.join(repoRoot, 'tools/docker/service-entrypoint.sh'), 'utf8');

  it('seeds the catalogue in inventory-service only, where the sample orders look for products', () => {
    const seeding = services
      .filter(([, service]) => environmentOf(service)['SEED_DATABASE'] !== undefined)
      .map(([name, service]) => [name, environmentOf(service)['SEED_DATABASE']]);
    expect(seeding).toEqual([['inventory-service', 'true']]);
  });

  it('has the entry point seed after the migrations and before the service, only when SEED_DATABASE=true', () => {
    const lines = entrypoint.split('\n').map((line) => line.trim());
    const deploy = lines.findIndex((line) => /prisma-migrate\/src\/cli\.ts deploy --service/.test(line));
    const seed = lines.findIndex((line) =>
      /prisma-migrate\/src\/cli\.ts seed --service "\$\{database\}"/.test(line),
    );
    const exec = lines.findIndex((line) => line.startsWith('exec node'));
    expect(deploy).toBeGreaterThan(-1);
    expect(seed).toBeGreaterThan(deploy);
    expect(exec).toBeGreaterThan(seed);
    // The seed command is the body of the `true)` branch of `case "${SEED_DATABASE:-false}"`.
    const branch = lines.slice(0, seed).reverse();
    expect(branch.find((line) => line.endsWith(')'))).toBe('true)');
    expect(branch.find((line) => line.startsWith('case '))).toBe('case "${SEED_DATABASE:-false}" in');
  });

  it('builds the seed script and its data into the service images', () => {
    const ignore = DockerIgnore.forContext(repoRoot);
    const seedFiles = [
      'prisma/inventory/seed.ts',
      'prisma/inventory/seed-data.ts',
      'tools/prisma-migrate/src/cli.ts',
      'tools/prisma-migrate/src/seed-database.ts',
      'tools/docker/service-entrypoint.sh',
    ];
    for (const file of seedFiles) expect(existsSync(path.join(repoRoot, file))).toBe(true);
    expect(seedFiles.filter((file) => ignore.ignores(file))).toEqual([]);
  });

  it("ends the payment timeout sample within 20 s with order-service's saga settings", () => {
    const config = configs.get('order-service');
    expect(config).toBeDefined();
    const settings = config?.parse(environmentOf(model.services?.['order-service'] ?? {})) as {
      SAGA_STEP_TIMEOUT_MS: number;
      SAGA_STEP_MAX_ATTEMPTS: number;
      SAGA_SWEEP_INTERVAL_MS: number;
    };
    // The payment step is sent SAGA_STEP_MAX_ATTEMPTS times, each waiting its timeout (noticed by the
    // sweeper at most one interval late), then the saga compensates.
    const timeoutPathMs =
      settings.SAGA_STEP_MAX_ATTEMPTS * (settings.SAGA_STEP_TIMEOUT_MS + settings.SAGA_SWEEP_INTERVAL_MS);
    expect(timeoutPathMs).toBeLessThanOrEqual(20_000);
  });

  it('lets `docker compose up --wait` succeed: each service without a restart policy is a one-shot a running service awaits', () => {
    // `--wait` fails when a container has exited, unless a service waits for its successful completion.
    const awaited = new Set(
      services.flatMap(([, service]) =>
        Object.entries(dependenciesOf(service))
          .filter(([, { condition }]) => condition === 'service_completed_successfully')
          .map(([name]) => name),
      ),
    );
    const oneShots = services
      .filter(([, service]) => !service.restart || service.restart === 'no')
      .map(([name]) => name);
    expect(oneShots.filter((name) => !awaited.has(name))).toEqual([]);
  });
});
