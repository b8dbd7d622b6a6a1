import {
  Exchanges,
  Queues,
  Services,
  Topology,
  deadLetterExchangeOf,
  deadLetterQueueOf,
  permissionsFor,
  resolveExchanges,
  resolveQueues,
} from '@orderly/contracts';
import { createTestVhost, type TestVhost } from '@orderly/testing';
import { apiPath } from './management-client';
import { provisionTopology } from './provision';
import { randomBytes } from 'node:crypto';
import { TopologyConflictError } from './topology-conflict.error';

interface ApiQueue {
  name: string;
  durable: boolean;
  auto_delete: boolean;
  type: string;
  arguments: Record<string, unknown>;
  effective_policy_definition?: Record<string, unknown>;
  policy?: string | null;
}
interface ApiBinding {
  source: string;
  destination: string;
  destination_type: string;
  routing_key: string;
}

const services = Topology.services.map((service) => service.name);
const servicePasswords = Object.fromEntries(
  services.map((service) => [service, randomBytes(12).toString('base64url')]),
);

async function eventually(assertion: () => Promise<void>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertion();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

describe('provisionTopology', () => {
  let broker: TestVhost;
  // Users are global to the broker: each test file gets its own, named after its vhost.
  let userPrefix: string;

  beforeAll(async () => {
    broker = await createTestVhost('broker-provision');
    userPrefix = `${broker.vhost}.`;
  });
  afterAll(async () => {
    await Promise.all(
      services.map((s) => broker?.api('DELETE', apiPath`/users/${userPrefix}${s}`).catch(() => undefined)),
    );
    await broker?.dispose();
  });

  const provision = (vhost = broker.vhost) =>
    provisionTopology({
      managementUrl: broker.managementUrl,
      vhost,
      userPrefix,
      passwords: servicePasswords,
    });

  it('creates every declared queue with exactly its declared arguments, exchange, binding, policy, user and permission', async () => {
    const result = await provision();
    expect(result.created.queues).toHaveLength(resolveQueues(Topology).length);

    const queues = await broker.api<ApiQueue[]>('GET', apiPath`/queues/${broker.vhost}`);
    expect(queues.map((q) => q.name).sort()).toEqual(
      resolveQueues(Topology)
        .map((q) => q.name)
        .sort(),
    );
    const queueNamed = new Map(queues.map((q) => [q.name, q]));
    for (const declared of resolveQueues(Topology)) {
      const actual = queueNamed.get(declared.name);
      expect(
        actual && {
          name: actual.name,
          durable: actual.durable,
          auto_delete: actual.auto_delete,
          arguments: actual.arguments,
        },
      ).toEqual({
        name: declared.name,
        durable: true,
        auto_delete: false,
        arguments: declared.arguments,
      });
    }
    const work = queueNamed.get(Queues.paymentCommands);
    expect(work?.type).toBe('quorum');
    expect(work?.arguments).toMatchObject({
      'x-queue-type': 'quorum',
      'x-delivery-limit': 20,
      'x-dead-letter-exchange': deadLetterExchangeOf(Services.payment),
      'x-dead-letter-routing-key': Queues.paymentCommands,
      'x-dead-letter-strategy': 'at-least-once',
      'x-overflow': 'reject-publish',
    });

    const exchanges = await broker.api<Array<{ name: string; type: string; durable: boolean }>>(
      'GET',
      apiPath`/exchanges/${broker.vhost}`,
    );
    for (const declared of resolveExchanges(Topology)) {
      expect(exchanges.find((e) => e.name === declared.name)).toMatchObject({
        type: declared.type,
        durable: true,
      });
    }

    const bindings = await broker.api<ApiBinding[]>('GET', apiPath`/bindings/${broker.vhost}`);
    const actualBindings = bindings
      .filter((b) => b.source !== '')
      .map((b) => `${b.source} -> ${b.destination} [${b.routing_key}]`)
      .sort();
    const declaredBindings = resolveQueues(Topology)
      .flatMap((q) => q.bindings.map((b) => `${b.exchange} -> ${q.name} [${b.routingKey}]`))
      .sort();
    expect(actualBindings).toEqual(declaredBindings);

    const policies = await broker.api<
      Array<{ name: string; pattern: string; 'apply-to': string; priority: number; definition: unknown }>
    >('GET', apiPath`/policies/${broker.vhost}`);
    expect(
      policies.map(({ name, pattern, 'apply-to': applyTo, priority, definition }) => ({
        name,
        pattern,
        applyTo,
        priority,
        definition,
      })),
    ).toEqual(
      Topology.policies.map(({ name, pattern, applyTo, priority, definition }) => ({
        name,
        pattern,
        applyTo,
        priority,
        definition,
      })),
    );
    // The policy reaches the dead-letter queues and no work queue (the management API shows a new
    // queue's policy once its first statistics arrive, a few seconds later).
    const policyOf = async (queue: string) =>
      (await broker.api<ApiQueue>('GET', apiPath`/queues/${broker.vhost}/${queue}`)).policy ?? undefined;
    const [deadLetterPolicy] = Topology.policies.map((policy) => policy.name);
    expect(deadLetterPolicy).toBeDefined();
    await eventually(async () =>
      expect(await policyOf(deadLetterQueueOf(Queues.paymentCommands))).toBe(deadLetterPolicy),
    );
    expect(await policyOf(Queues.paymentCommands)).toBeFalsy();

    for (const service of services) {
      const user = await broker.api<{ name: string; tags: string[] | string }>(
        'GET',
        apiPath`/users/${userPrefix}${service}`,
      );
      expect([user.tags].flat().filter(Boolean)).toEqual([]);
      const permission = await broker.api<{ configure: string; write: string; read: string }>(
        'GET',
        apiPath`/permissions/${broker.vhost}/${userPrefix}${service}`,
      );
      expect({ configure: permission.configure, write: permission.write, read: permission.read }).toEqual(
        permissionsFor(Topology, service),
      );
    }
  });

  it('changes nothing when run a second time', async () => {
    const before = await broker.api<ApiQueue[]>('GET', apiPath`/queues/${broker.vhost}`);
    const again = await provision();
    expect(again.created).toEqual({ vhost: false, exchanges: [], queues: [], bindings: 0 });
    expect(again.undeclaredBindings).toEqual([]);
    const after = await broker.api<ApiQueue[]>('GET', apiPath`/queues/${broker.vhost}`);
    expect(after.map((q) => [q.name, q.arguments])).toEqual(before.map((q) => [q.name, q.arguments]));
  });

  it('reports a binding the topology does not declare, and leaves it in place', async () => {
    await broker.api(
      'POST',
      apiPath`/bindings/${broker.vhost}/e/${Exchanges.orderEvents}/q/${Queues.notificationOrderEvents}`,
      {
        routing_key: 'order.placed-by-hand',
      },
    );
    const result = await provision();
    expect(result.undeclaredBindings).toEqual([
      {
        source: Exchanges.orderEvents,
        destination: Queues.notificationOrderEvents,
        routingKey: 'order.placed-by-hand',
      },
    ]);
  });

  it('stops before any change and names the queue and each differing argument when a queue exists with other arguments', async () => {
    const other = await createTestVhost('broker-conflict');
    try {
      await other.api('PUT', apiPath`/queues/${other.vhost}/${Queues.paymentCommands}`, {
        durable: true,
        arguments: { 'x-queue-type': 'quorum', 'x-delivery-limit': 5 },
      });
      const error = await provisionTopology({
        managementUrl: other.managementUrl,
        vhost: other.vhost,
        userPrefix,
        passwords: servicePasswords,
      }).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(TopologyConflictError);
      const conflict = error as TopologyConflictError;
      expect(conflict.code).toBe('BROKER.TOPOLOGY_CONFLICT');
      expect(conflict.conflicts).toEqual([
        {
          kind: 'queue',
          name: Queues.paymentCommands,
          differences: [
            {
              key: 'x-dead-letter-exchange',
              declared: deadLetterExchangeOf(Services.payment),
              actual: undefined,
            },
            { key: 'x-dead-letter-routing-key', declared: Queues.paymentCommands, actual: undefined },
            { key: 'x-dead-letter-strategy', declared: 'at-least-once', actual: undefined },
            { key: 'x-delivery-limit', declared: 20, actual: 5 },
            { key: 'x-overflow', declared: 'reject-publish', actual: undefined },
          ],
        },
      ]);
      expect(conflict.message).toContain(`queue "${Queues.paymentCommands}": `);
      expect(conflict.message).toContain('x-delivery-limit declared 20, found 5');
      expect(conflict.message).not.toMatch(/406|PRECONDITION_FAILED/);

      // Nothing else was declared: the run stopped before its first change.
      const queues = await other.api<ApiQueue[]>('GET', apiPath`/queues/${other.vhost}`);
      expect(queues.map((q) => q.name)).toEqual([Queues.paymentCommands]);
    } finally {
      await other.dispose();
    }
  });
});
