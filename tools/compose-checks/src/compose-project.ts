import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { interpolateDocument, parseEnvFile } from './interpolate';

/** The repository root (tools/compose-checks/src → ../../..). */
export const repoRoot = path.resolve(__dirname, '../../..');

/** A compose file as written (YAML anchors and merge keys resolved, variables not yet interpolated). */
export interface ComposeFile {
  path: string;
  document: ComposeDocument;
}

export interface ComposeDocument {
  services?: Record<string, Service>;
  volumes?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string; args?: Record<string, string> | string[] };
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: Array<string | number | PortObject>;
  volumes?: Array<string | VolumeObject>;
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  command?: string | string[];
  hostname?: string;
  [key: string]: unknown;
}

interface PortObject {
  target?: number | string;
  published?: number | string;
  host_ip?: string;
  protocol?: string;
}

interface VolumeObject {
  type?: string;
  source?: string;
  target?: string;
}

/** One compose project: its files (later ones override earlier ones, as `-f a -f b`) and environment. */
export interface ComposeProject {
  /** The folder relative paths resolve from (the first file's folder, as compose does). */
  dir: string;
  files: ComposeFile[];
  /** The environment used for interpolation (here: the values of .env.example). */
  env: Record<string, string>;
}

/** Reads compose files the way `docker compose -f …` does: YAML 1.1 merge keys (`<<: *anchor`) allowed. */
export function readComposeFile(file: string): ComposeFile {
  const document = parse(readFileSync(file, 'utf8'), { merge: true }) as ComposeDocument;
  return { path: file, document: document ?? {} };
}

export function readEnvFile(file: string): Record<string, string> {
  return parseEnvFile(readFileSync(file, 'utf8'));
}

export function loadProject(files: string[], envFile: string): ComposeProject {
  if (files.length === 0) throw new Error('loadProject needs at least one compose file');
  return {
    dir: path.dirname(files[0] as string),
    files: files.map(readComposeFile),
    env: readEnvFile(envFile),
  };
}

/** The effective model: every file interpolated, then merged in order. */
export function effectiveModel(project: ComposeProject): ComposeDocument {
  return project.files
    .map((file) => normalise(interpolateDocument(file.document, project.env)))
    .reduce((merged, next) => mergeDocuments(merged, next), {} as ComposeDocument);
}

/** Environment and depends_on in their map form, so that files merge key by key. */
function normalise(document: ComposeDocument): ComposeDocument {
  const services = Object.fromEntries(
    Object.entries(document.services ?? {}).map(([name, service]) => [
      name,
      { ...service, environment: environmentOf(service), depends_on: dependenciesOf(service) },
    ]),
  );
  return { ...document, services };
}

export function environmentOf(service: Service): Record<string, string> {
  const environment = service.environment;
  if (!environment) return {};
  if (Array.isArray(environment)) {
    return Object.fromEntries(
      environment.map((entry) => {
        const at = entry.indexOf('=');
        return at < 0 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
      }),
    );
  }
  return Object.fromEntries(
    Object.entries(environment).map(([key, value]) => [key, value == null ? '' : String(value)]),
  );
}

export function dependenciesOf(service: Service): Record<string, { condition?: string }> {
  const dependsOn = service.depends_on;
  if (!dependsOn) return {};
  if (Array.isArray(dependsOn))
    return Object.fromEntries(dependsOn.map((name) => [name, { condition: 'service_started' }]));
  return dependsOn;
}

// Compose's merge rules, for the keys Orderly uses: mappings merge key by key; these sequences replace
// the earlier value; volumes merge by their target in the container; other sequences are appended.
const REPLACED = new Set(['command', 'entrypoint', 'test', 'dns', 'extra_hosts']);

function mergeDocuments(base: ComposeDocument, override: ComposeDocument): ComposeDocument {
  return mergeValues(base, override, '') as ComposeDocument;
}

function mergeValues(base: unknown, override: unknown, key: string): unknown {
  if (override === undefined) return base;
  if (Array.isArray(base) && Array.isArray(override)) {
    if (REPLACED.has(key)) return override;
    if (key === 'volumes') {
      const byTarget = new Map<string, unknown>();
      for (const entry of [...base, ...override])
        byTarget.set(volumeOf(entry as string | VolumeObject).target, entry);
      return [...byTarget.values()];
    }
    return [
      ...base,
      ...override.filter((entry) => !base.some((b) => JSON.stringify(b) === JSON.stringify(entry))),
    ];
  }
  if (isMapping(base) && isMapping(override)) {
    const merged: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(override)) merged[k] = mergeValues(base[k], v, k);
    return merged;
  }
  return override;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}

/** A port published on the host. */
export interface PublishedPort {
  hostIp: string;
  hostPort: number;
  containerPort: number;
  protocol: string;
}

/** The host ports of a service's `ports` (short or long syntax); unpublished ports are left out. */
export function publishedPorts(service: Service): PublishedPort[] {
  const ports: PublishedPort[] = [];
  for (const entry of service.ports ?? []) {
    if (typeof entry === 'object') {
      if (entry.published === undefined) continue;
      ports.push(
        ...range(
          String(entry.published),
          String(entry.target),
          entry.host_ip ?? '0.0.0.0',
          entry.protocol ?? 'tcp',
        ),
      );
      continue;
    }
    const [spec, protocol = 'tcp'] = String(entry).split('/') as [string, string?];
    // [ip:]host:container, where ip may be an IPv6 literal in brackets.
    const match = /^(?:(\[[^\]]+\]|[^:]+):)?(?:([\d-]+):)?([\d-]+)$/.exec(spec);
    if (!match) throw new Error(`unreadable port "${entry}"`);
    const [, ip, host, container] = match;
    if (host === undefined) {
      // "ip:container" cannot be told apart from "host:container" by shape: a dotted first part is an IP.
      if (ip && /^\d+(-\d+)?$/.test(ip)) ports.push(...range(ip, container as string, '0.0.0.0', protocol));
      continue;
    }
    ports.push(...range(host, container as string, ip ?? '0.0.0.0', protocol));
  }
  return ports;
}

function range(host: string, container: string, hostIp: string, protocol: string): PublishedPort[] {
  const [hostFrom, hostTo = hostFrom] = host.split('-').map(Number) as [number, number?];
  const [containerFrom] = container.split('-').map(Number) as [number];
  const ports: PublishedPort[] = [];
  for (let port = hostFrom; port <= (hostTo as number); port++) {
    ports.push({ hostIp, hostPort: port, containerPort: containerFrom + (port - hostFrom), protocol });
  }
  return ports;
}

/** A volume entry: bind mounts have a host path as source, named volumes a name. */
export function volumeOf(entry: string | VolumeObject): {
  kind: 'bind' | 'volume' | 'tmpfs';
  source?: string;
  target: string;
} {
  if (typeof entry === 'object') {
    const kind = entry.type === 'bind' ? 'bind' : entry.type === 'tmpfs' ? 'tmpfs' : 'volume';
    return { kind, source: entry.source, target: entry.target ?? '' };
  }
  const parts = entry.split(':');
  if (parts.length === 1) return { kind: 'volume', target: parts[0] as string };
  const [source, target] = parts as [string, string];
  const bind = source.startsWith('.') || source.startsWith('/') || source.startsWith('~');
  return { kind: bind ? 'bind' : 'volume', source, target };
}

/** The build of a service in its long form, paths relative to the project folder. */
export function buildOf(
  service: Service,
): { context: string; dockerfile: string; args: Record<string, string> } | undefined {
  if (service.build === undefined) return undefined;
  if (typeof service.build === 'string')
    return { context: service.build, dockerfile: 'Dockerfile', args: {} };
  const rawArgs = service.build.args ?? {};
  const args = Array.isArray(rawArgs)
    ? Object.fromEntries(rawArgs.map((entry) => [entry.split('=')[0], entry.split('=').slice(1).join('=')]))
    : Object.fromEntries(Object.entries(rawArgs).map(([k, v]) => [k, String(v)]));
  return {
    context: service.build.context ?? '.',
    dockerfile: service.build.dockerfile ?? 'Dockerfile',
    args,
  };
}
