import { connect } from 'amqplib';
import { Client } from 'pg';
import { createTestVhost, managementApi, type TestVhost } from './test-broker';
import { createTestDatabase } from './test-database';
import { TestEnv } from './test-servers';

// Runs against the servers of the run (started by the global setup), as every integration test does.
describe('test servers of a run', () => {
  it('exports the URLs of a RabbitMQ node and a PostgreSQL server that both answer', async () => {
    const api = managementApi(process.env[TestEnv.managementUrl] as string);
    const overview = await api<{ rabbitmq_version: string }>('GET', '/overview');
    expect(overview.rabbitmq_version).toMatch(/^\d+\.\d+/);

    const client = new Client({ connectionString: process.env[TestEnv.databaseUrl] });
    await client.connect();
    const { rows } = await client.query<{ server_version_num: string }>('SHOW server_version_num');
    await client.end();
    expect(Number(rows[0]?.server_version_num)).toBeGreaterThan(150000);
  });

  it('runs the broker without a guest user', async () => {
    const api = managementApi(process.env[TestEnv.managementUrl] as string);
    await expect(api('GET', '/users/guest')).rejects.toThrow(/404/);
  });
});

describe('createTestVhost', () => {
  let first: TestVhost;
  let second: TestVhost;

  beforeAll(async () => {
    [first, second] = await Promise.all([createTestVhost('isolation'), createTestVhost('isolation')]);
  });
  afterAll(async () => {
    await Promise.all([first?.dispose(), second?.dispose()]);
  });

  it('gives each caller its own vhost: a queue declared in one is not visible in another', async () => {
    expect(first.vhost).not.toBe(second.vhost);
    const connection = await connect(first.amqpUrl);
    const channel = await connection.createChannel();
    await channel.assertQueue('orders.placed', { durable: true });
    await connection.close();

    const inFirst = await first.api<{ name: string }>(
      'GET',
      `/queues/${encodeURIComponent(first.vhost)}/orders.placed`,
    );
    expect(inFirst.name).toBe('orders.placed');
    await expect(
      second.api('GET', `/queues/${encodeURIComponent(second.vhost)}/orders.placed`),
    ).rejects.toThrow(/404/);

    // Over AMQP as well: checking the queue in the other vhost closes the channel with 404 NOT_FOUND.
    const other = await connect(second.amqpUrl);
    const otherChannel = await other.createChannel();
    otherChannel.on('error', () => undefined);
    await expect(otherChannel.checkQueue('orders.placed')).rejects.toThrow(/NOT_FOUND/);
    await other.close();
  });

  it('deletes the vhost, with its queues, on dispose', async () => {
    const vhost = await createTestVhost('disposed');
    const connection = await connect(vhost.amqpUrl);
    await (await connection.createChannel()).assertQueue('left.behind');
    await connection.close();

    await vhost.dispose();

    await expect(first.api('GET', `/vhosts/${encodeURIComponent(vhost.vhost)}`)).rejects.toThrow(/404/);
    const queues = await first.api<{ vhost: string }[]>('GET', '/queues');
    expect(queues.filter((q) => q.vhost === vhost.vhost)).toEqual([]);
  });
});

describe('createTestDatabase', () => {
  it('creates an empty database that can be used, and drops it on dispose', async () => {
    const db = await createTestDatabase('harness');
    const client = new Client({ connectionString: db.url });
    // The drop below ends this session; the client reports that as an error event.
    client.on('error', () => undefined);
    await client.connect();
    const tables = await client.query(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
    );
    expect(tables.rows).toEqual([]);
    await client.query('CREATE TABLE orders (id int PRIMARY KEY)');
    await client.query('INSERT INTO orders VALUES (1)');
    expect((await client.query('SELECT count(*)::int AS n FROM orders')).rows).toEqual([{ n: 1 }]);
    // An open session must not keep the database alive: dispose drops it WITH (FORCE).

    await db.dispose();

    await client.end().catch(() => undefined);
    const admin = new Client({ connectionString: process.env[TestEnv.databaseUrl] });
    await admin.connect();
    const { rows } = await admin.query('SELECT datname FROM pg_database WHERE datname = $1', [db.name]);
    await admin.end();
    expect(rows).toEqual([]);
  });

  it('gives each caller its own database', async () => {
    const [a, b] = await Promise.all([createTestDatabase('harness'), createTestDatabase('harness')]);
    try {
      expect(a.name).not.toBe(b.name);
      expect(new URL(a.url).pathname).toBe(`/${a.name}`);
    } finally {
      await Promise.all([a.dispose(), b.dispose()]);
    }
  });
});
