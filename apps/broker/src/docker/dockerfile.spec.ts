// Docker cannot run on the machines this project is built on (docs: ENVIRONMENT), so the image is
// checked statically: what it copies exists, the paths agree with each other, and the one script it
// runs at start (rendering the credentials) is run here with the shell the image has.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BrokerFiles } from '../broker-settings';

const context = path.dirname(BrokerFiles.dockerfile);
const dockerfile = readFileSync(BrokerFiles.dockerfile, 'utf8');

/** Instructions with their line continuations joined and comments dropped. */
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'));

const copies = instructions
  .filter((line) => /^COPY\s/i.test(line))
  .map((line) => {
    const words = line
      .split(/\s+/)
      .slice(1)
      .filter((word) => !word.startsWith('--'));
    return { sources: words.slice(0, -1), destination: words.at(-1) ?? '' };
  });
const destinationOf = (source: string) =>
  copies.find((copy) => copy.sources.includes(source))?.destination ?? '';

describe('apps/broker/Dockerfile', () => {
  it('starts from the management image pinned to a minor version of RabbitMQ 4', () => {
    const from = instructions.filter((line) => /^FROM\s/i.test(line));
    expect(from).toHaveLength(1);
    expect(from[0]).toMatch(/^FROM rabbitmq:4\.\d+-management$/);
  });

  it('copies files that exist in its build context (apps/broker)', () => {
    expect(copies.length).toBeGreaterThan(0);
    for (const source of copies.flatMap((copy) => copy.sources)) {
      expect({ source, exists: existsSync(path.join(context, source)) }).toEqual({ source, exists: true });
    }
  });

  it('copies the configuration, the plugins and the generated definitions.json', () => {
    expect(destinationOf('rabbitmq/rabbitmq.conf')).toBe('/etc/rabbitmq/rabbitmq.conf');
    expect(destinationOf('rabbitmq/enabled_plugins')).toBe('/etc/rabbitmq/enabled_plugins');
    expect(path.join(context, 'definitions.json')).toBe(BrokerFiles.definitions);
    expect(destinationOf('definitions.json')).toMatch(/^\/etc\/rabbitmq\/definitions\/10-[\w-]+\.json$/);
  });

  it('loads at boot the folder it copies definitions.json into, and renders the credentials there after it', () => {
    const definitionsDir = path.posix.dirname(destinationOf('definitions.json'));
    const conf = readFileSync(path.join(context, 'docker/30-orderly-definitions.conf'), 'utf8');
    expect(destinationOf('docker/30-orderly-definitions.conf')).toMatch(/^\/etc\/rabbitmq\/conf\.d\//);
    expect(conf).toMatch(/^definitions\.import_backend = local_filesystem$/m);
    expect(conf).toMatch(new RegExp(`^definitions\\.local\\.path = ${definitionsDir}$`, 'm'));

    const entrypoint = readFileSync(path.join(context, 'docker/entrypoint.sh'), 'utf8');
    expect(entrypoint).toContain(`render-credentials.sh ${definitionsDir}`);
    expect(entrypoint).toMatch(/exec docker-entrypoint\.sh "\$@"/);
    // RabbitMQ imports the folder's files in name order: the credentials must come after the topology.
    expect([path.posix.basename(destinationOf('definitions.json')), '20-credentials.json'].sort()[0]).toMatch(
      /^10-/,
    );
  });

  it('runs its entrypoint (executable in the repository) and has a health check', () => {
    const entrypoint = instructions.find((line) => /^ENTRYPOINT\s/i.test(line));
    expect(entrypoint).toBe('ENTRYPOINT ["orderly-entrypoint.sh"]');
    expect(destinationOf('docker/entrypoint.sh')).toBe('/usr/local/bin/orderly-entrypoint.sh');
    expect(destinationOf('docker/render-credentials.sh')).toBe('/usr/local/bin/render-credentials.sh');
    for (const script of ['docker/entrypoint.sh', 'docker/render-credentials.sh']) {
      expect(() => accessSync(path.join(context, script), constants.X_OK)).not.toThrow();
    }
    expect(instructions.find((line) => /^HEALTHCHECK\s/i.test(line))).toMatch(
      /CMD rabbitmq-diagnostics -q (ping|check_port_connectivity)/,
    );
  });
});

describe('docker/render-credentials.sh', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'orderly-credentials-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const render = (env: Record<string, string>) =>
    spawnSync('sh', [path.join(context, 'docker/render-credentials.sh'), dir], {
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env },
      encoding: 'utf8',
    });

  it('writes the administrator and each service given a password, as JSON RabbitMQ can import', () => {
    const password = `q"uo\\te $HOME \`x\` 'y'`;
    const result = render({
      RABBITMQ_ADMIN_USER: 'ops',
      RABBITMQ_ADMIN_PASSWORD: password,
      BROKER_PASSWORD_ORDER_SERVICE: 'order-secret',
      BROKER_PASSWORD_PAYMENT_SERVICE: '',
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const file = path.join(dir, '20-credentials.json');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      users: [
        { name: 'ops', password, tags: ['administrator'] },
        { name: 'order-service', password: 'order-secret', tags: [] },
      ],
      vhosts: [{ name: 'orderly' }],
      permissions: [{ user: 'ops', vhost: 'orderly', configure: '.*', write: '.*', read: '.*' }],
    });
  });

  it('refuses to start without an administrator password, saying which variable to set', () => {
    const result = render({});
    expect(result.status).toBe(64);
    expect(result.stderr).toContain('set RABBITMQ_ADMIN_PASSWORD');
    expect(existsSync(path.join(dir, '20-credentials.json'))).toBe(false);
  });
});
