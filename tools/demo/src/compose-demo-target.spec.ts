import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SagaDefaults } from '@orderly/saga';
import { parse } from 'yaml';
import {
  type ComposeModel,
  composeDemoTarget,
  ContainerPorts,
  publishedUrl,
  settleTimeoutFor,
  TempoDatasourceUid,
  traceExploreUrl,
} from './compose-demo-target';

const root = path.resolve(__dirname, '../../..');

/** A model as `docker compose config --format json` writes it: long port syntax, environment as a map. */
const configOutput: ComposeModel = {
  services: {
    'order-service': {
      environment: {
        PORT: '3001',
        ADMIN_TOKEN: 'token-from-dotenv-0123',
        SAGA_STEP_TIMEOUT_MS: '4000',
        SAGA_STEP_MAX_ATTEMPTS: '2',
      },
      ports: [{ mode: 'ingress', host_ip: '127.0.0.1', target: 3001, published: '3101', protocol: 'tcp' }],
    },
    'inventory-service': {
      environment: { PORT: '3002' },
      ports: [{ host_ip: '127.0.0.1', target: 3002, published: '3002' }],
    },
    'payment-service': { environment: { PORT: '3003' }, ports: [{ target: 3003, published: 3003 }] },
    'notification-service': {
      environment: { PORT: '3004' },
      ports: [{ host_ip: '0.0.0.0', target: 3004, published: '3004' }],
    },
    broker: {
      environment: { RABBITMQ_ADMIN_USER: 'orderly-admin', RABBITMQ_ADMIN_PASSWORD: 'rabbit-secret' },
      ports: [
        { host_ip: '127.0.0.1', target: 5672, published: '5672' },
        { host_ip: '127.0.0.1', target: 15672, published: '15672' },
      ],
    },
    grafana: {
      environment: { GF_SECURITY_ADMIN_PASSWORD: 'grafana-secret' },
      ports: [{ host_ip: '127.0.0.1', target: 3000, published: '3000' }],
    },
    prometheus: { ports: [{ host_ip: '127.0.0.1', target: 9090, published: '9090' }] },
    mailpit: { ports: [{ host_ip: '127.0.0.1', target: 8025, published: '8025' }] },
  },
};

describe('the compose stack as the demo reads it', () => {
  it('takes URLs, credentials and saga deadlines from the model compose runs', () => {
    expect(composeDemoTarget(configOutput)).toEqual({
      serviceUrls: {
        'order-service': 'http://127.0.0.1:3101',
        'inventory-service': 'http://127.0.0.1:3002',
        'payment-service': 'http://localhost:3003',
        'notification-service': 'http://localhost:3004',
      },
      grafanaUrl: 'http://127.0.0.1:3000',
      prometheusUrl: 'http://127.0.0.1:9090',
      rabbitmqManagementUrl: 'http://127.0.0.1:15672',
      mailpitUrl: 'http://127.0.0.1:8025',
      adminToken: 'token-from-dotenv-0123',
      rabbitmqAdmin: { user: 'orderly-admin', password: 'rabbit-secret' },
      grafanaAdmin: { user: 'admin', password: 'grafana-secret' },
      saga: { stepTimeoutMs: 4000, stepMaxAttempts: 2, sweepIntervalMs: SagaDefaults.sweepIntervalMs },
    });
  });

  it("finds every URL it prints in the repository's docker-compose.yml, all on 127.0.0.1", () => {
    // The file as written (short port syntax; variables not interpolated, which the URLs do not use).
    const model = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), {
      merge: true,
    }) as ComposeModel;
    const target = composeDemoTarget(model);
    expect(target.serviceUrls).toEqual({
      'order-service': 'http://127.0.0.1:3001',
      'inventory-service': 'http://127.0.0.1:3002',
      'payment-service': 'http://127.0.0.1:3003',
      'notification-service': 'http://127.0.0.1:3004',
    });
    expect([
      target.grafanaUrl,
      target.prometheusUrl,
      target.rabbitmqManagementUrl,
      target.mailpitUrl,
    ]).toEqual(Object.values(ContainerPorts).map(({ port }) => `http://127.0.0.1:${port}`));
    // Without SAGA_* settings in the compose file, order-service runs its defaults.
    expect(target.saga).toEqual({
      stepTimeoutMs: SagaDefaults.stepTimeoutMs,
      stepMaxAttempts: SagaDefaults.stepMaxAttempts,
      sweepIntervalMs: SagaDefaults.sweepIntervalMs,
    });
  });

  it('reads the short port syntax: address, published and container port, protocol, IPv6', () => {
    const model = (ports: string[]): ComposeModel => ({ services: { web: { ports } } });
    expect(publishedUrl(model(['127.0.0.1:8080:80']), 'web', 80)).toBe('http://127.0.0.1:8080');
    expect(publishedUrl(model(['8081:80/tcp']), 'web', 80)).toBe('http://localhost:8081');
    expect(publishedUrl(model(['[::1]:8082:80']), 'web', 80)).toBe('http://[::1]:8082');
    expect(publishedUrl(model(['9000:9000', '127.0.0.1:8083:80']), 'web', 80)).toBe('http://127.0.0.1:8083');
  });

  it('names the service and port it cannot reach, or the setting it misses', () => {
    expect(() => publishedUrl({ services: { web: { ports: ['80'] } } }, 'web', 80)).toThrow(
      'web publishes no host port for its port 80 in the compose model: the demo cannot reach it',
    );
    expect(() => publishedUrl({ services: {} }, 'web', 80)).toThrow('the compose model has no service web');
    const withoutToken = structuredClone(configOutput);
    delete (withoutToken.services?.['order-service']?.environment as Record<string, string>)['ADMIN_TOKEN'];
    expect(() => composeDemoTarget(withoutToken)).toThrow(
      'the compose model gives order-service no ADMIN_TOKEN',
    );
  });

  it('waits for each order as long as its saga may take: every step timing out, then compensation', () => {
    const defaults = {
      stepTimeoutMs: SagaDefaults.stepTimeoutMs,
      stepMaxAttempts: SagaDefaults.stepMaxAttempts,
      sweepIntervalMs: SagaDefaults.sweepIntervalMs,
    };
    const settle = settleTimeoutFor(defaults);
    expect(settle).toBeGreaterThan(
      3 * defaults.stepMaxAttempts * (defaults.stepTimeoutMs + defaults.sweepIntervalMs),
    );
    expect(settle).toBeGreaterThanOrEqual(60_000);
    expect(settleTimeoutFor({ stepTimeoutMs: 30_000, stepMaxAttempts: 5, sweepIntervalMs: 1_000 })).toBe(
      3 * 5 * 31_000 + 30_000,
    );
  });

  it("links a trace to Grafana's Explore on the provisioned Tempo datasource", () => {
    const url = new URL(traceExploreUrl('http://127.0.0.1:3000', '4bf92f3577b34da6a3ce929d0e0e4736'));
    expect(`${url.origin}${url.pathname}`).toBe('http://127.0.0.1:3000/explore');
    expect(JSON.parse(url.searchParams.get('panes') ?? '')).toEqual({
      trace: {
        datasource: 'tempo',
        queries: [
          {
            refId: 'A',
            datasource: { type: 'tempo', uid: 'tempo' },
            queryType: 'traceql',
            query: '4bf92f3577b34da6a3ce929d0e0e4736',
          },
        ],
        range: { from: 'now-1h', to: 'now' },
      },
    });
    const provisioned = parse(
      readFileSync(path.join(root, 'grafana/provisioning/datasources/datasources.yaml'), 'utf8'),
    ) as { datasources: Array<{ uid: string; type: string }> };
    expect(provisioned.datasources).toContainEqual(
      expect.objectContaining({ uid: TempoDatasourceUid, type: 'tempo' }),
    );
  });
});
