import { type ServiceName, Services } from '@orderly/contracts';
import { SagaDefaults } from '@orderly/saga';

// Where the demo finds the compose stack, read from the compose model itself (`docker compose config
// --format json`: the files merged and interpolated with .env, exactly what `up` runs) rather than
// assumed: a port changed in docker-compose.yml, or in an override file, is followed.

/** The compose model as far as the demo reads it; both the long and the short syntax of ports. */
export interface ComposeModel {
  services?: Record<string, ComposeService>;
}

export interface ComposeService {
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: Array<
    | string
    | number
    | {
        target?: number | string;
        published?: number | string;
        host_ip?: string;
        protocol?: string;
        mode?: string;
      }
  >;
}

/**
 * The ports the third-party images listen on inside their containers (their own defaults; the compose
 * file publishes them on the host). The services' ports come from their PORT setting instead.
 */
export const ContainerPorts = {
  grafana: { service: 'grafana', port: 3000 },
  prometheus: { service: 'prometheus', port: 9090 },
  rabbitmqManagement: { service: 'broker', port: 15672 },
  mailpit: { service: 'mailpit', port: 8025 },
} as const;

/** The uid of the Tempo datasource (grafana/provisioning/datasources/datasources.yaml). */
export const TempoDatasourceUid = 'tempo';

export interface ComposeDemoTarget {
  /** Each service's HTTP API on the host (order-service's is where the orders go). */
  serviceUrls: Record<ServiceName, string>;
  grafanaUrl: string;
  prometheusUrl: string;
  rabbitmqManagementUrl: string;
  mailpitUrl: string;
  /** order-service's ADMIN_TOKEN, for the operator API. */
  adminToken: string;
  rabbitmqAdmin: { user: string; password: string };
  grafanaAdmin: { user: string; password: string };
  /** order-service's saga deadlines as the stack runs them (its config defaults where compose sets none). */
  saga: { stepTimeoutMs: number; stepMaxAttempts: number; sweepIntervalMs: number };
}

/** Reads from the compose model everything the demo needs; names the service and setting that is missing. */
export function composeDemoTarget(model: ComposeModel): ComposeDemoTarget {
  const env = (service: string) => environmentOf(serviceOf(model, service));
  const setting = (service: string, key: string, fallback?: string): string => {
    const value = env(service)[key] ?? fallback;
    if (value === undefined || value === '')
      throw new Error(`the compose model gives ${service} no ${key}: is docker-compose.yml complete?`);
    return value;
  };
  const serviceUrls = Object.fromEntries(
    Object.values(Services).map((name) => [name, publishedUrl(model, name, Number(setting(name, 'PORT')))]),
  ) as Record<ServiceName, string>;
  const portOf = ({ service, port }: { service: string; port: number }) => publishedUrl(model, service, port);
  const order = Services.order;
  const number = (key: string, fallback: number) => Number(env(order)[key] ?? fallback);
  return {
    serviceUrls,
    grafanaUrl: portOf(ContainerPorts.grafana),
    prometheusUrl: portOf(ContainerPorts.prometheus),
    rabbitmqManagementUrl: portOf(ContainerPorts.rabbitmqManagement),
    mailpitUrl: portOf(ContainerPorts.mailpit),
    adminToken: setting(order, 'ADMIN_TOKEN'),
    rabbitmqAdmin: {
      user: setting('broker', 'RABBITMQ_ADMIN_USER'),
      password: setting('broker', 'RABBITMQ_ADMIN_PASSWORD'),
    },
    grafanaAdmin: {
      // Grafana's own default user when the compose file sets none.
      user: setting('grafana', 'GF_SECURITY_ADMIN_USER', 'admin'),
      password: setting('grafana', 'GF_SECURITY_ADMIN_PASSWORD'),
    },
    saga: {
      stepTimeoutMs: number('SAGA_STEP_TIMEOUT_MS', SagaDefaults.stepTimeoutMs),
      stepMaxAttempts: number('SAGA_STEP_MAX_ATTEMPTS', SagaDefaults.stepMaxAttempts),
      sweepIntervalMs: number('SAGA_SWEEP_INTERVAL_MS', SagaDefaults.sweepIntervalMs),
    },
  };
}

/** `http://<host>:<port>` where the host reaches `containerPort` of `service`. */
export function publishedUrl(model: ComposeModel, service: string, containerPort: number): string {
  for (const port of serviceOf(model, service).ports ?? []) {
    const mapping = portMapping(port);
    if (mapping?.target === containerPort && mapping.published !== undefined) {
      // Bound to every address (or unspecified): the host reaches it on localhost.
      const host =
        !mapping.hostIp || mapping.hostIp === '0.0.0.0' || mapping.hostIp === '::'
          ? 'localhost'
          : mapping.hostIp;
      return `http://${host.includes(':') ? `[${host}]` : host}:${mapping.published}`;
    }
  }
  throw new Error(
    `${service} publishes no host port for its port ${containerPort} in the compose model: the demo cannot reach it`,
  );
}

/**
 * How long one sample order may take to settle on this stack: every step of the saga could use all its
 * attempts (the timeout sample uses them on the payment step), then compensation, plus a margin for
 * containers that are slower than processes (a minute at least).
 */
export function settleTimeoutFor(saga: ComposeDemoTarget['saga'], sagaSteps = 3): number {
  const deadlines = sagaSteps * saga.stepMaxAttempts * (saga.stepTimeoutMs + saga.sweepIntervalMs);
  return Math.max(60_000, deadlines + 30_000);
}

/** Grafana's Explore on one trace in Tempo (the link format of grafana/dashboards/*.json). */
export function traceExploreUrl(grafanaUrl: string, traceId: string): string {
  const panes = {
    trace: {
      datasource: TempoDatasourceUid,
      queries: [
        {
          refId: 'A',
          datasource: { type: 'tempo', uid: TempoDatasourceUid },
          queryType: 'traceql',
          query: traceId,
        },
      ],
      range: { from: 'now-1h', to: 'now' },
    },
  };
  return `${grafanaUrl}/explore?schemaVersion=1&orgId=1&panes=${encodeURIComponent(JSON.stringify(panes))}`;
}

function serviceOf(model: ComposeModel, name: string): ComposeService {
  const service = model.services?.[name];
  if (!service) throw new Error(`the compose model has no service ${name}`);
  return service;
}

function environmentOf(service: ComposeService): Record<string, string | undefined> {
  const environment = service.environment ?? {};
  if (Array.isArray(environment)) {
    return Object.fromEntries(
      environment.map((entry) => {
        const at = entry.indexOf('=');
        return at < 0 ? [entry, undefined] : [entry.slice(0, at), entry.slice(at + 1)];
      }),
    );
  }
  return Object.fromEntries(
    Object.entries(environment).map(([key, value]) => [key, value === null ? undefined : String(value)]),
  );
}

/** One `ports` entry: `docker compose config` writes the long syntax, compose files mostly the short one. */
function portMapping(
  port: NonNullable<ComposeService['ports']>[number],
): { target: number; published?: number; hostIp?: string } | undefined {
  if (typeof port === 'object') {
    // `published` is a string in compose's output ("3001"), and may be a range ("8000-8010"): not ours.
    const published = Number(port.published);
    return {
      target: Number(port.target),
      published: Number.isInteger(published) && published > 0 ? published : undefined,
      hostIp: port.host_ip,
    };
  }
  // [host_ip:][published:]target[/protocol]; an IPv6 host address is in brackets.
  const spec = String(port).replace(/\/\w+$/, '');
  const ipv6 = /^\[([^\]]+)\]:(.*)$/.exec(spec);
  const parts = ipv6 ? [ipv6[1], ...(ipv6[2] ?? '').split(':')] : spec.split(':');
  if (parts.length > 3 || parts.slice(-2).some((part) => part !== undefined && !/^\d+$/.test(part)))
    return undefined;
  const [target, published, hostIp] = [...parts].reverse();
  return { target: Number(target), published: published ? Number(published) : undefined, hostIp };
}
