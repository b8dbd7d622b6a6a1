export const USAGE = `Prisma migrations without the schema-engine binary (one database per service, prisma/<service>/).

  npm run db -- generate [--service <s>]... [--force]
      prisma generate for each service; skips a client whose schema has not changed.
  npm run db -- deploy --service <s> [--url <postgres url>]
      prisma migrate deploy: applies the pending migrations, recorded in _prisma_migrations.
  npm run db -- create --service <s> --name <name> [--url <server url>] [--shadow-url <url>] [--empty]
      writes migrations/<timestamp>_<name>/migration.sql: the SQL from the migrations to the schema.
  npm run db -- check [--service <s>]... [--url <server url>] [--shadow-url <url>]
      fails, printing the missing SQL, when a schema and its migrations differ (drift), or when a
      shared schema copy (prisma/<service>/outbox.prisma) differs from its source.
  npm run db -- sync
      copies the shared schemas (libs/outbox/prisma/outbox.prisma) into every service folder.
  npm run db -- seed --service <s> [--url <postgres url>]
      runs prisma/<s>/seed.ts against a migrated database: adds the seed rows that are missing.

--url defaults to $DATABASE_URL. For create and check it is any database on a server where the
user may CREATE DATABASE: the migrations are replayed in a throw-away shadow database there.
--shadow-url names an existing database to use as the shadow database instead; it is EMPTIED first.
--prisma-dir <dir> works on another copy of prisma/ (default: the repository's).`;

interface Common {
  /** The `prisma/` folder to work on; the repository's when absent. */
  prismaDir?: string;
}

export type CliArguments = Common &
  (
    | { command: 'generate'; services: string[]; force: boolean }
    | { command: 'deploy'; service: string; url: string }
    | { command: 'create'; service: string; name: string; url: string; shadowUrl?: string; empty: boolean }
    | { command: 'check'; services: string[]; url: string; shadowUrl?: string }
    | { command: 'sync' }
    | { command: 'seed'; service: string; url: string }
  );

export type Command = CliArguments['command'];

/** A mistake on the command line: the CLI prints it with the usage and exits with 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const flagsOf: Record<Command, readonly string[]> = {
  generate: ['--service', '--force', '--prisma-dir'],
  deploy: ['--service', '--url', '--prisma-dir'],
  create: ['--service', '--name', '--url', '--shadow-url', '--empty', '--prisma-dir'],
  check: ['--service', '--url', '--shadow-url', '--prisma-dir'],
  sync: ['--prisma-dir'],
  seed: ['--service', '--url', '--prisma-dir'],
};
const booleanFlags = ['--force', '--empty'];

/** Parses `argv` (without node and the script); `env` supplies the DATABASE_URL default. */
export function parseCliArguments(
  argv: readonly string[],
  env: Record<string, string | undefined> = {},
): CliArguments {
  const [command, ...rest] = argv;
  if (command === undefined || !(command in flagsOf)) {
    throw new UsageError(command ? `unknown command "${command}"` : 'no command given');
  }
  const { values, flags } = readFlags(command as Command, rest);
  const services = values.get('--service') ?? [];
  const single = (flag: string) => values.get(flag)?.at(-1);
  const prismaDir = single('--prisma-dir');
  const url = single('--url') ?? (env['DATABASE_URL'] || undefined);
  const needUrl = () => {
    if (!url) throw new UsageError(`${command} needs --url (or DATABASE_URL)`);
    return url;
  };
  const oneService = () => {
    if (services.length !== 1) throw new UsageError(`${command} needs exactly one --service`);
    return services[0] as string;
  };

  switch (command as Command) {
    case 'generate':
      return { command: 'generate', services, force: flags.has('--force'), prismaDir };
    case 'deploy':
      return { command: 'deploy', service: oneService(), url: needUrl(), prismaDir };
    case 'create': {
      const name = single('--name');
      if (!name) throw new UsageError('create needs --name');
      const service = oneService();
      return {
        command: 'create',
        service,
        name,
        url: needUrl(),
        shadowUrl: single('--shadow-url'),
        empty: flags.has('--empty'),
        prismaDir,
      };
    }
    case 'check':
      return { command: 'check', services, url: needUrl(), shadowUrl: single('--shadow-url'), prismaDir };
    case 'sync':
      return { command: 'sync', prismaDir };
    case 'seed':
      return { command: 'seed', service: oneService(), url: needUrl(), prismaDir };
  }
}

function readFlags(
  command: Command,
  args: readonly string[],
): { values: Map<string, string[]>; flags: Set<string> } {
  const values = new Map<string, string[]>();
  const flags = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument "${arg}"`);
    const eq = arg.indexOf('=');
    const flag = eq < 0 ? arg : arg.slice(0, eq);
    if (!flagsOf[command].includes(flag)) throw new UsageError(`${command} does not take ${flag}`);
    if (booleanFlags.includes(flag)) {
      if (eq >= 0) throw new UsageError(`${flag} takes no value`);
      flags.add(flag);
      continue;
    }
    const value = eq < 0 ? args[++i] : arg.slice(eq + 1);
    if (value === undefined || value === '' || value.startsWith('--'))
      throw new UsageError(`${flag} needs a value`);
    values.set(flag, [...(values.get(flag) ?? []), value]);
  }
  return { values, flags };
}
