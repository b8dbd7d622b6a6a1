import {
  Topology,
  permissionsFor,
  resolveExchanges,
  resolveQueues,
  type TopologyDeclaration,
} from '@orderly/contracts';
import { buildDefinitions, renderDefinitions } from './build-definitions';

describe('buildDefinitions', () => {
  const definitions = buildDefinitions(Topology);

  it('declares one passwordless user per service, with no tags (no management access)', () => {
    expect(definitions.users).toEqual(
      Topology.services
        .map((service) => service.name)
        .sort()
        .map((name) => ({
          name,
          password_hash: '',
          hashing_algorithm: 'rabbit_password_hashing_sha256',
          tags: [],
          limits: {},
        })),
    );
  });

  it('gives each user exactly the permissions derived from the topology, in the topology vhost only', () => {
    for (const service of Topology.services) {
      const permissions = definitions.permissions.filter((p) => p.user === service.name);
      expect(permissions).toEqual([
        { user: service.name, vhost: Topology.vhost, ...permissionsFor(Topology, service.name) },
      ]);
    }
  });

  it('holds every resolved queue with its arguments, every exchange, and a binding per routed message', () => {
    expect(definitions.queues.map((q) => [q.name, q.arguments])).toEqual(
      resolveQueues(Topology)
        .map((q) => [q.name, q.arguments])
        .sort(([a], [b]) => ((a as string) < (b as string) ? -1 : 1)),
    );
    expect(definitions.queues.every((q) => q.durable && !q.auto_delete && q.vhost === Topology.vhost)).toBe(
      true,
    );
    expect(definitions.exchanges.map((e) => `${e.name}:${e.type}`).sort()).toEqual(
      resolveExchanges(Topology)
        .map((e) => `${e.name}:${e.type}`)
        .sort(),
    );
    const bindingCount = resolveQueues(Topology).reduce((sum, q) => sum + q.bindings.length, 0);
    expect(definitions.bindings).toHaveLength(bindingCount);
    expect(definitions.policies.map((p) => p.name)).toEqual(Topology.policies.map((p) => p.name).sort());
  });

  it('lists everything in a stable order, whatever the order of the declaration', () => {
    const shuffled: TopologyDeclaration = {
      ...Topology,
      exchanges: [...Topology.exchanges].reverse(),
      queues: [...Topology.queues].reverse(),
      services: [...Topology.services].reverse(),
    };
    expect(renderDefinitions(buildDefinitions(shuffled))).toBe(renderDefinitions(definitions));
    const names = definitions.queues.map((q) => q.name);
    expect(names).toEqual([...names].sort());
  });

  it('puts everything in another vhost and prefixes user names when asked (one broker, several environments)', () => {
    const staging = buildDefinitions(Topology, { vhost: 'staging', userPrefix: 'staging.' });
    expect(staging.vhosts).toEqual([{ name: 'staging' }]);
    expect(
      new Set(
        [...staging.queues, ...staging.exchanges, ...staging.bindings, ...staging.policies].map(
          (o) => o.vhost,
        ),
      ),
    ).toEqual(new Set(['staging']));
    expect(staging.users.every((u) => u.name.startsWith('staging.'))).toBe(true);
    expect(staging.permissions.every((p) => p.user.startsWith('staging.') && p.vhost === 'staging')).toBe(
      true,
    );
  });

  it('carries no password, version or secret of any kind', () => {
    const text = renderDefinitions(definitions);
    expect(text).not.toMatch(/"password"\s*:/);
    expect(text).not.toMatch(/"password_hash"\s*:\s*"[^"]/);
    expect(text).not.toContain('rabbit_version');
  });
});
