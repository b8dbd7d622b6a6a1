import { createHash } from 'node:crypto';
import { rabbitMqPasswordHash, withAdministrator } from './rabbitmq-definitions';

describe('rabbitMqPasswordHash', () => {
  it('reproduces the hash RabbitMQ 3.10.8 stored for default_pass "secret"', () => {
    // Read back from GET /api/users of a 3.10.8 node started with `default_pass = secret`.
    const stored = 'aCa+oqdneNbZtolHe/T9g0Wx3rm4nWMq74Z5oknZUe1tukja';
    const salt = Buffer.from(stored, 'base64').subarray(0, 4);
    expect(rabbitMqPasswordHash('secret', salt)).toBe(stored);
  });

  it('salts each hash, so two hashes of one password differ but both verify', () => {
    const [a, b] = [rabbitMqPasswordHash('pw'), rabbitMqPasswordHash('pw')].map((h) =>
      Buffer.from(h, 'base64'),
    );
    expect(a?.equals(b as Buffer)).toBe(false);
    for (const hash of [a, b] as Buffer[]) {
      const digest = createHash('sha256')
        .update(Buffer.concat([hash.subarray(0, 4), Buffer.from('pw')]))
        .digest();
      expect(hash.subarray(4).equals(digest)).toBe(true);
    }
  });
});

describe('withAdministrator', () => {
  it('adds the administrator with full permissions in / and in every declared vhost', () => {
    const merged = withAdministrator(
      { vhosts: [{ name: 'orderly' }], queues: [{ name: 'q' }] },
      'admin',
      'pw',
    );
    expect(merged.users).toEqual([expect.objectContaining({ name: 'admin', tags: ['administrator'] })]);
    expect(merged.vhosts?.map((v) => v.name)).toEqual(['/', 'orderly']);
    expect(merged.permissions).toEqual([
      { user: 'admin', vhost: '/', configure: '.*', write: '.*', read: '.*' },
      { user: 'admin', vhost: 'orderly', configure: '.*', write: '.*', read: '.*' },
    ]);
    expect(merged['queues']).toEqual([{ name: 'q' }]);
  });

  it('replaces a user of the same name and keeps the other users and their permissions', () => {
    const merged = withAdministrator(
      {
        users: [{ name: 'admin', password_hash: 'old' }, { name: 'order-service' }],
        vhosts: [{ name: '/' }],
        permissions: [
          { user: 'admin', vhost: '/', configure: '', write: '', read: '' },
          { user: 'order-service', vhost: '/', configure: '', write: 'x', read: 'y' },
        ],
      },
      'admin',
      'pw',
    );
    expect(merged.users?.map((u) => [u.name, u['password_hash'] === 'old'])).toEqual([
      ['order-service', false],
      ['admin', false],
    ]);
    expect(merged.permissions?.filter((p) => p.user === 'admin')).toEqual([
      { user: 'admin', vhost: '/', configure: '.*', write: '.*', read: '.*' },
    ]);
    expect(merged.permissions).toContainEqual({
      user: 'order-service',
      vhost: '/',
      configure: '',
      write: 'x',
      read: 'y',
    });
  });
});
