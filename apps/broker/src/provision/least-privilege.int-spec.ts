// Least privilege as the broker enforces it: the service users connect with amqplib directly (no Orderly
// library in between) and the assertions are on RabbitMQ's own refusals.
import amqp, { type ChannelModel, type ConfirmChannel } from 'amqplib';
import {
  Exchanges,
  PaymentAuthorised,
  Queues,
  ReserveStock,
  Services,
  Topology,
  resolveExchanges,
  resolveQueues,
  resolveRetry,
  retryExchangeOf,
  retryTierArguments,
} from '@orderly/contracts';
import { createTestVhost, type TestVhost } from '@orderly/testing';
import { apiPath } from './management-client';
import { provisionTopology } from './provision';

interface AmqpError extends Error {
  code?: number;
}

const services = Topology.services.map((service) => service.name);
const paymentQueue = (() => {
  const queue = Topology.queues.find((declared) => declared.name === Queues.paymentCommands);
  if (!queue) throw new Error(`${Queues.paymentCommands} is not in the topology`);
  return queue;
})();

describe('broker users provisioned from the topology', () => {
  let broker: TestVhost;
  let userPrefix: string;
  const passwords = Object.fromEntries(
    services.map((service) => [service, `${service}-${Math.random().toString(36).slice(2)}`]),
  );
  const connections: ChannelModel[] = [];

  beforeAll(async () => {
    broker = await createTestVhost('broker-privilege');
    userPrefix = `${broker.vhost}.`;
    await provisionTopology({
      managementUrl: broker.managementUrl,
      vhost: broker.vhost,
      userPrefix,
      passwords,
    });
  });
  afterAll(async () => {
    await Promise.allSettled(connections.map((connection) => connection.close()));
    await Promise.all(
      services.map((s) => broker?.api('DELETE', apiPath`/users/${userPrefix}${s}`).catch(() => undefined)),
    );
    await broker?.dispose();
  });

  async function channelAs(service: string): Promise<ConfirmChannel> {
    const url = new URL(broker.amqpUrl);
    url.username = encodeURIComponent(`${userPrefix}${service}`);
    url.password = encodeURIComponent(passwords[service] ?? '');
    const connection = await amqp.connect(url.toString());
    connection.on('error', () => undefined);
    connections.push(connection);
    return connection.createConfirmChannel();
  }

  /**
   * Runs `action` and resolves with the error the broker closed the channel with: an RPC (consume,
   * declare) rejects with it; a publish has no reply, so the channel's `error` event carries it.
   */
  async function refusal(
    channel: ConfirmChannel,
    action: (channel: ConfirmChannel) => unknown,
  ): Promise<AmqpError> {
    const closedWith = new Promise<AmqpError>((resolve) => channel.once('error', resolve));
    const rejection = await Promise.resolve()
      .then(() => action(channel))
      .then(
        () => undefined,
        (error: AmqpError) => error,
      );
    return rejection ?? closedWith;
  }

  /**
   * The broker's refusal: 403 ACCESS_REFUSED closing the channel, naming the resource and the user.
   * 3.10 says "access to queue 'q' ..."; 3.12+ and 4.x name the permission: "read access to queue 'q' ...".
   */
  function expectRefused(
    error: AmqpError,
    permission: 'configure' | 'write' | 'read',
    resource: string,
    service: string,
  ): void {
    const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(error.code).toBe(403);
    expect(error.message).toMatch(
      new RegExp(
        `ACCESS_REFUSED - (${permission} )?access to ${escape(resource)} in vhost '${escape(broker.vhost)}' ` +
          `refused for user '${escape(userPrefix + service)}'`,
      ),
    );
  }

  it('lets payment-service consume its own queue and publish a reply to order.replies', async () => {
    const channel = await channelAs(Services.payment);
    const { consumerTag } = await channel.consume(Queues.paymentCommands, () => undefined);
    await channel.cancel(consumerTag);
    channel.publish(Exchanges.orderReplies, PaymentAuthorised.type, Buffer.from('{"reply":1}'), {
      mandatory: true,
    });
    await channel.waitForConfirms();
    await channel.close();

    // The reply reached the saga's queue, where order-service (and only it) reads it.
    const orderChannel = await channelAs(Services.order);
    const delivered = await orderChannel.get(Queues.orderSagaReplies, { noAck: true });
    expect(delivered && delivered.content.toString()).toBe('{"reply":1}');
    await orderChannel.close();
  });

  it('refuses payment-service publishing to inventory.commands (ACCESS_REFUSED, channel closed with 403)', async () => {
    const channel = await channelAs(Services.payment);
    const error = await refusal(channel, (c) =>
      c.publish(Exchanges.inventoryCommands, ReserveStock.type, Buffer.from('{}')),
    );
    expectRefused(error, 'write', `exchange '${Exchanges.inventoryCommands}'`, Services.payment);
  });

  it('refuses payment-service consuming inventory-service.commands', async () => {
    const channel = await channelAs(Services.payment);
    const error = await refusal(channel, (c) => c.consume(Queues.inventoryCommands, () => undefined));
    expectRefused(error, 'read', `queue '${Queues.inventoryCommands}'`, Services.payment);
  });

  it('refuses payment-service declaring a queue outside payment-service.*', async () => {
    const channel = await channelAs(Services.payment);
    const outside = `${Services.inventory}.not-mine`;
    const error = await refusal(channel, (c) => c.assertQueue(outside, { durable: true }));
    expectRefused(error, 'configure', `queue '${outside}'`, Services.payment);
  });

  it('lets payment-service declare a queue under its own prefix', async () => {
    const channel = await channelAs(Services.payment);
    const reply = await channel.assertQueue(`${Services.payment}.scratch`, {
      durable: false,
      autoDelete: true,
    });
    expect(reply.queue).toBe(`${Services.payment}.scratch`);
    await channel.close();
  });

  it('refuses payment-service publishing through the default exchange (which reaches any queue)', async () => {
    const channel = await channelAs(Services.payment);
    const error = await refusal(channel, (c) => c.sendToQueue(Queues.inventoryCommands, Buffer.from('{}')));
    expectRefused(error, 'write', `exchange 'amq.default'`, Services.payment);
  });

  it('lets payment-service schedule a retry through its own retry exchange, which the tier returns to its queue', async () => {
    const [tier] = resolveRetry(paymentQueue).tiers;
    const channel = await channelAs(Services.payment);
    // As at its startup: declaring a tier checks write on its dead-letter exchange, the service's own.
    await channel.assertQueue(tier.queue, {
      durable: true,
      arguments: retryTierArguments(paymentQueue, tier.delayMs),
    });
    channel.publish(retryExchangeOf(Services.payment), tier.queue, Buffer.from('{"retry":1}'), {
      mandatory: true,
      expiration: '50',
    });
    await channel.waitForConfirms();
    // The broker dead-letters the expired message back to the work queue: no permission is needed for that.
    const deadline = Date.now() + 15_000;
    let back: false | { content: Buffer; fields: { exchange: string } } = false;
    while (!back && Date.now() < deadline) {
      back = await channel.get(Queues.paymentCommands, { noAck: true });
      if (!back) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(back && [back.content.toString(), back.fields.exchange]).toEqual([
      '{"retry":1}',
      retryExchangeOf(Services.payment),
    ]);
    await channel.close();
  });

  it('refuses payment-service publishing to another service’s retry exchange', async () => {
    const channel = await channelAs(Services.payment);
    const other = retryExchangeOf(Services.inventory);
    const error = await refusal(channel, (c) =>
      c.publish(other, `${Queues.inventoryCommands}`, Buffer.from('{}')),
    );
    expectRefused(error, 'write', `exchange '${other}'`, Services.payment);
  });

  it('refuses a login with a wrong password', async () => {
    const url = new URL(broker.amqpUrl);
    url.username = encodeURIComponent(`${userPrefix}${Services.payment}`);
    url.password = 'wrong';
    await expect(amqp.connect(url.toString())).rejects.toThrow(/ACCESS_REFUSED|403/);
  });

  // Every service against every resource it does not own, derived from the topology: a queue or an
  // exchange added later is covered without touching this file.
  describe.each(services)('the %s user', (service) => {
    const declaration = Topology.services.find((s) => s.name === service);
    const foreignQueues = resolveQueues(Topology).filter((queue) => queue.owner !== service);
    // Everything but what it publishes to and its own `<service>.*` (retry, dead-letter): also its own
    // context's command exchange, which only the orchestrator writes to.
    const forbiddenExchanges = resolveExchanges(Topology).filter(
      (exchange) =>
        !exchange.name.startsWith(`${service}.`) && !declaration?.publishesTo.includes(exchange.name),
    );
    let connection: ChannelModel | undefined;
    /** A fresh channel on one connection of the service: each refusal closes the channel it happened on. */
    async function freshChannel(): Promise<ConfirmChannel> {
      if (!connection) {
        const url = new URL(broker.amqpUrl);
        url.username = encodeURIComponent(`${userPrefix}${service}`);
        url.password = encodeURIComponent(passwords[service] ?? '');
        connection = await amqp.connect(url.toString());
        connection.on('error', () => undefined);
        connections.push(connection);
      }
      const channel = await connection.createConfirmChannel();
      channel.on('error', () => undefined);
      return channel;
    }

    it('cannot consume or get from any queue of another service (work queues, retry tiers, DLQs)', async () => {
      expect(foreignQueues.length).toBeGreaterThan(0);
      for (const queue of foreignQueues) {
        expectRefused(
          await refusal(await freshChannel(), (c) => c.consume(queue.name, () => undefined)),
          'read',
          `queue '${queue.name}'`,
          service,
        );
        expectRefused(
          await refusal(await freshChannel(), (c) => c.get(queue.name)),
          'read',
          `queue '${queue.name}'`,
          service,
        );
      }
    });

    it('cannot publish to another context’s command exchange, nor to any exchange it does not publish to', async () => {
      const commandExchanges = Object.values(Exchanges).filter((name) => name.endsWith('.commands'));
      const allowedCommands = commandExchanges.filter((name) => declaration?.publishesTo.includes(name));
      // Only the orchestrator sends commands; every command exchange it is not given is closed to it.
      expect(forbiddenExchanges.map((e) => e.name)).toEqual(
        expect.arrayContaining(commandExchanges.filter((name) => !allowedCommands.includes(name))),
      );
      for (const exchange of forbiddenExchanges) {
        const error = await refusal(await freshChannel(), (c) =>
          c.publish(exchange.name, 'any', Buffer.from('{}')),
        );
        expectRefused(error, 'write', `exchange '${exchange.name}'`, service);
      }
    });
  });
});
