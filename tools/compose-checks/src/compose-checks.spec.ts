import path from 'node:path';
import { z } from 'zod';
import { defineConfig } from '@orderly/config';
import {
  buildProblems,
  dependencyProblems,
  dockerfileProblems,
  editDistance,
  mountProblems,
  observabilityProblems,
  portProblems,
  schemaProblems,
  secretProblems,
  serviceEnvironmentProblems,
  variableProblems,
} from './compose-checks';
import { effectiveModel, loadProject, publishedPorts, volumeOf } from './compose-project';
import { DockerIgnore } from './dockerignore';
import { baseImageOf, finalStage, parseDockerfile } from './dockerfile';
import { interpolate, MissingVariableError, variablesIn } from './interpolate';

// Each check, run on a project with one fault of each kind (fixtures/broken), reports exactly those
// faults: a check that cannot fail would pass anything.
const fixture = path.join(__dirname, 'fixtures/broken');
const project = loadProject([path.join(fixture, 'docker-compose.yml')], path.join(fixture, '.env.example'));
const model = effectiveModel(project);

describe('the checks, on a broken project', () => {
  it('reports what the Compose specification does not allow', () => {
    expect(schemaProblems(project)).toEqual([
      expect.stringMatching(
        /^docker-compose\.yml: \/services\/web must NOT have additional properties \("not_a_compose_key"\)/,
      ),
    ]);
  });

  it('reports a missing build context, and copies of files absent from or ignored by the context', () => {
    expect(buildProblems(project, model)).toEqual([
      'service app: app/Dockerfile:2 copies missing.txt, which is not in the build context',
      'service app: app/Dockerfile:3 copies secret.txt, which .dockerignore leaves out',
      'service unbuildable: build context ./no-such-context does not exist',
    ]);
  });

  it('reports missing bind mount sources, undeclared volumes, and paths given to a service that its mounts lack', () => {
    expect(mountProblems(project, model)).toEqual([
      'service app: bind mount source ./does-not-exist.conf does not exist',
      'service app: volume undeclared-volume is not declared under top-level volumes',
      'service other: environment HOME_PAGE names /srv/site/missing.html, but app/missing.html does not exist',
    ]);
  });

  it('reports a host port published twice (any address overlaps a specific one)', () => {
    expect(portProblems(model)).toEqual(['host port 8080/tcp is published by both app and other']);
  });

  it('reports unknown dependencies, health awaited without a health check, completion of a restarting service, cycles', () => {
    expect(dependencyProblems(project, model)).toEqual([
      'service app waits for web to be healthy, but web has no health check',
      'service app depends on ghost, which is not a service',
      'service once waits for web to complete, but web restarts (always)',
      'depends_on cycle: app → other → app',
    ]);
  });

  it('reports variables missing from .env.example and entries of it no file uses', () => {
    expect(variableProblems(project)).toEqual([
      'docker-compose.yml uses ${NOT_IN_ENV_EXAMPLE}, which .env.example does not list',
      '.env.example lists UNUSED_SETTING, which no compose file uses',
    ]);
  });

  it('reports committed secrets, an unignored .env and the guest account', () => {
    expect(secretProblems(project, fixture)).toEqual([
      '.gitignore does not list .env',
      '.dockerignore does not leave .env out of the build context',
      '.env.example: APP_BROKER_PASSWORD must be a "change-me-…" placeholder, not a value',
      "docker-compose.yml mentions the guest account; Orderly's brokers have none",
    ]);
  });

  it("reports settings an app's schema requires and does not get, misspelt ones, and apps with no service", () => {
    const configs = new Map([
      [
        'app',
        defineConfig('app', {
          DATABASE_URL: z.url(),
          AMQP_URL: z.url(),
          PORT: z.coerce.number().default(3000),
        }),
      ],
      ['worker', defineConfig('worker', { DATABASE_URL: z.url() })],
    ]);
    expect(serviceEnvironmentProblems(model, configs)).toEqual([
      'service app: DATABASE_URL: missing',
      'service app: DATABSE_URL is not a setting of app; did you mean DATABASE_URL?',
      'no compose service worker (apps/worker declares a configuration)',
    ]);
  });

  it('reports images without a health check, and app images not on Node 24 or running as root', () => {
    expect(dockerfileProblems(project, model, ['app'])).toEqual([
      'app/Dockerfile (service app): no HEALTHCHECK',
      'app/Dockerfile (service app): the image is based on node:20-slim, not node:24',
      'app/Dockerfile (service app): the image runs as root (no USER); set a non-root USER',
    ]);
  });

  it('reports Grafana datasources and Prometheus targets that are not services (or not their port), unmounted dashboards and rules', () => {
    expect(observabilityProblems(project, model)).toEqual([
      'service grafana: datasource Prometheus points at http://nowhere:9090, which is not a compose service',
      'service grafana: dashboard provider unmounted reads /var/lib/grafana/dashboards, which is not mounted from a folder',
      'service prometheus: rule file rules/missing.rules.yml of prometheus/prometheus.yml does not exist',
      'service prometheus: job ghosts scrapes ghost:9100, which is not a compose service',
      'service prometheus: job ghosts scrapes app:9999, but app listens on 8000 (PORT)',
    ]);
  });
});

describe('reading compose files', () => {
  it('interpolates like compose: defaults, required values, alternatives and $$', () => {
    const env = { SET: 'value', EMPTY: '' };
    expect(
      interpolate('${SET} ${UNSET:-fallback} ${EMPTY:-fallback} ${EMPTY-kept} ${SET:+alt} $$SET $SET', env),
    ).toBe('value fallback fallback  alt $SET value');
    expect(() => interpolate('${EMPTY:?set it in .env}', env)).toThrow(MissingVariableError);
    expect(() => interpolate('${EMPTY:?set it in .env}', env)).toThrow(
      'EMPTY is missing a value: set it in .env',
    );
    expect(interpolate('${EMPTY?unused}', env)).toBe('');
  });

  it('lists the variables a string uses, and which are required', () => {
    expect(variablesIn('a ${A:?why} $B ${C:-d} $$E')).toEqual([
      { name: 'A', required: true, error: 'why', hasDefault: false },
      { name: 'B', required: false, error: undefined, hasDefault: false },
      { name: 'C', required: false, error: undefined, hasDefault: true },
    ]);
  });

  it('reads published ports in short and long syntax', () => {
    expect(
      publishedPorts({
        ports: [
          '127.0.0.1:5672:5672',
          '3000:3001',
          '9000-9001:9000-9001/udp',
          '4000',
          { target: 80, published: 8080 },
        ],
      }),
    ).toEqual([
      { hostIp: '127.0.0.1', hostPort: 5672, containerPort: 5672, protocol: 'tcp' },
      { hostIp: '0.0.0.0', hostPort: 3000, containerPort: 3001, protocol: 'tcp' },
      { hostIp: '0.0.0.0', hostPort: 9000, containerPort: 9000, protocol: 'udp' },
      { hostIp: '0.0.0.0', hostPort: 9001, containerPort: 9001, protocol: 'udp' },
      { hostIp: '0.0.0.0', hostPort: 8080, containerPort: 80, protocol: 'tcp' },
    ]);
  });

  it('tells bind mounts from named volumes', () => {
    expect(volumeOf('./grafana:/etc/grafana:ro')).toEqual({
      kind: 'bind',
      source: './grafana',
      target: '/etc/grafana',
    });
    expect(volumeOf('data:/var/lib/data')).toEqual({
      kind: 'volume',
      source: 'data',
      target: '/var/lib/data',
    });
  });

  it('applies .dockerignore as Docker does: folders, ** and re-included exceptions, last match wins', () => {
    const ignore = DockerIgnore.parse('**/node_modules\ntools/*\n!tools/scripts\n**/*.spec.ts\n.env\n');
    expect(ignore.ignores('node_modules/x/index.js')).toBe(true);
    expect(ignore.ignores('libs/a/node_modules/y')).toBe(true);
    expect(ignore.ignores('tools/demo/src/demo.ts')).toBe(true);
    expect(ignore.ignores('tools/scripts/run-ts.mjs')).toBe(false);
    expect(ignore.ignores('libs/outbox/src/outbox.spec.ts')).toBe(true);
    expect(ignore.ignores('libs/outbox/src/outbox.ts')).toBe(false);
    expect(ignore.ignores('.env')).toBe(true);
    expect(ignore.ignores('.env.example')).toBe(false);
  });

  it('reads Dockerfile stages, following ARGs and earlier stages to the base image', () => {
    const dockerfile = parseDockerfile(
      'ARG NODE_IMAGE=node:24-slim\nFROM ${NODE_IMAGE} AS deps\nRUN a \\\n  && b\nFROM deps AS runtime\nUSER node\n',
    );
    const stage = finalStage(dockerfile);
    expect(stage.name).toBe('runtime');
    expect(baseImageOf(dockerfile, stage)).toBe('node:24-slim');
    expect(dockerfile.stages[0]?.instructions).toEqual([{ keyword: 'RUN', args: 'a  && b', line: 3 }]);
  });

  it('measures typos as one edit', () => {
    expect(editDistance('DATABSE_URL', 'DATABASE_URL')).toBe(1);
    expect(editDistance('DATABASE_URLL', 'DATABASE_URL')).toBe(1);
    expect(editDistance('SMTP_URL', 'AMQP_URL')).toBe(2);
  });
});
