import { createHash, randomBytes } from 'node:crypto';

/** The parts of a RabbitMQ definitions file (management export format) that we touch. */
export interface Definitions {
  users?: { name: string; [key: string]: unknown }[];
  vhosts?: { name: string; [key: string]: unknown }[];
  permissions?: { user: string; vhost: string; [key: string]: unknown }[];
  [section: string]: unknown;
}

/**
 * A password hash in RabbitMQ's `rabbit_password_hashing_sha256` format (its default):
 * base64(salt ++ sha256(salt ++ utf8(password))) with a 4-byte random salt.
 */
export function rabbitMqPasswordHash(password: string, salt: Buffer = randomBytes(4)): string {
  const digest = createHash('sha256')
    .update(Buffer.concat([salt, Buffer.from(password, 'utf8')]))
    .digest();
  return Buffer.concat([salt, digest]).toString('base64');
}

/**
 * `definitions` plus an administrator with full permissions in `/` and in every vhost they declare.
 *
 * Why: a node that imports definitions at boot does not create its default user — RabbitMQ 3.10.8 logs
 * "Will not seed default virtual host and user: have definitions to load" and ignores `default_user`
 * and `default_pass` (checked here by booting a node). The administrator must therefore be part of the
 * definitions. We merge it into one file rather than pointing `load_definitions` at a folder with a
 * second file: the folder works on 3.10.8 too (each file is imported on its own, in name order in our
 * runs), but the administrator's permissions in the app's vhosts only apply if the app's file was
 * imported first, an order RabbitMQ does not promise. `/` is declared because `amqpUrl` points there.
 * An administrator of the same name in `definitions` is replaced (the node's password must work).
 */
export function withAdministrator(definitions: Definitions, user: string, password: string): Definitions {
  const vhosts = [...(definitions.vhosts ?? [])];
  if (!vhosts.some((vhost) => vhost.name === '/')) vhosts.unshift({ name: '/' });
  return {
    ...definitions,
    users: [
      ...(definitions.users ?? []).filter((existing) => existing.name !== user),
      {
        name: user,
        password_hash: rabbitMqPasswordHash(password),
        hashing_algorithm: 'rabbit_password_hashing_sha256',
        tags: ['administrator'],
        limits: {},
      },
    ],
    vhosts,
    permissions: [
      ...(definitions.permissions ?? []).filter((permission) => permission.user !== user),
      ...vhosts.map((vhost) => ({ user, vhost: vhost.name, configure: '.*', write: '.*', read: '.*' })),
    ],
  };
}
