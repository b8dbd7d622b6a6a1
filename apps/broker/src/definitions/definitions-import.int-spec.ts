// The committed definitions.json, imported as RabbitMQ imports it (POST /api/definitions runs the same
// import as `load_definitions` at boot), into this file's own vhost and with this file's own user names.
import { readFileSync } from 'node:fs';
import amqp from 'amqplib';
import { Queues, Services, Topology, resolveQueues } from '@orderly/contracts';
import { createTestVhost, type TestVhost } from '@orderly/testing';
import { BrokerFiles } from '../broker-settings';
import { apiPath } from '../provision/management-client';
import { provisionTopology } from '../provision/provision';
import type { BrokerDefinitions } from './build-definitions';

describe('definitions.json imported into a broker', () => {
  let broker: TestVhost;
  let userPrefix: string;
  const services = Topology.services.map((service) => service.name);

  beforeAll(async () => {
    broker = await createTestVhost('broker-import');
    userPrefix = `${broker.vhost}.`;
    const committed = JSON.parse(readFileSync(BrokerFiles.definitions, 'utf8')) as BrokerDefinitions;
    // Users are global to a broker: importing the file's own names would blank the users of every other
    // test file on this broker. Only the names change; everything else is the committed file.
    const retargeted = JSON.parse(
      JSON.stringify(committed, (key, value: unknown) => {
        if (key === 'vhost') return broker.vhost;
        if ((key === 'user' || key === 'name') && typeof value === 'string' && services.includes(value))
          return `${userPrefix}${value}`;
        return value;
      }),
    ) as BrokerDefinitions;
    retargeted.vhosts = [];
    await broker.api('POST', '/definitions', retargeted);
  });
  afterAll(async () => {
    await Promise.all(
      services.map((s) => broker?.api('DELETE', apiPath`/users/${userPrefix}${s}`).catch(() => undefined)),
    );
    await broker?.dispose();
  });

  const amqpUrlFor = (service: string, password: string) => {
    const url = new URL(broker.amqpUrl);
    url.username = encodeURIComponent(`${userPrefix}${service}`);
    url.password = encodeURIComponent(password);
    return url.toString();
  };

  it('creates the queues with their declared arguments', async () => {
    const queues = await broker.api<Array<{ name: string; arguments: Record<string, unknown> }>>(
      'GET',
      apiPath`/queues/${broker.vhost}`,
    );
    expect(queues.map((q) => [q.name, q.arguments]).sort()).toEqual(
      resolveQueues(Topology)
        .map((q) => [q.name, q.arguments])
        .sort(),
    );
  });

  it('creates users that cannot log in, with any password or none, until provision gives them one', async () => {
    const user = await broker.api<{ password_hash: string }>(
      'GET',
      apiPath`/users/${userPrefix}${Services.payment}`,
    );
    expect(user.password_hash).toBe('');

    for (const password of ['', 'guess']) {
      const error = await amqp.connect(amqpUrlFor(Services.payment, password)).then(
        async (connection) => {
          await connection.close();
          return undefined;
        },
        (e: Error) => e,
      );
      expect(error?.message).toMatch(/403 \(ACCESS-REFUSED\)/);
    }
    const management = new URL(broker.managementUrl);
    const login = await fetch(`${management.protocol}//${management.host}/api/whoami`, {
      headers: {
        authorization: `Basic ${Buffer.from(`${userPrefix}${Services.payment}:`).toString('base64')}`,
      },
    });
    expect(login.status).toBe(401);

    const passwordOf = (service: string) => `${service}-secret`;
    const passwords = Object.fromEntries(services.map((service) => [service, passwordOf(service)]));
    const result = await provisionTopology({
      managementUrl: broker.managementUrl,
      vhost: broker.vhost,
      userPrefix,
      passwords,
    });
    expect(result.created.queues).toEqual([]);
    const connection = await amqp.connect(amqpUrlFor(Services.payment, passwordOf(Services.payment)));
    const channel = await connection.createChannel();
    await expect(channel.checkQueue(Queues.paymentCommands)).resolves.toMatchObject({
      queue: Queues.paymentCommands,
    });
    await connection.close();
  });
});
