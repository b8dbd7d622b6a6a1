import path from 'node:path';
import { applyMigrations } from './apply-migrations';
import { parseCliArguments, USAGE, UsageError, type CliArguments } from './cli-arguments';
import { createMigration } from './create-migration';
import { checkDrift } from './drift-check';
import { generateClients } from './generate-clients';
import { SchemaEngineError } from './schema-engine';
import { seedDatabase } from './seed-database';
import { assertSharedSchemasInSync, inspectSharedSchemas, syncSharedSchemas } from './shared-schemas';

// `npm run db -- <command>`; see USAGE. Exit codes: 0 done, 1 failed (or drift found), 2 bad usage.

async function main(args: CliArguments): Promise<number> {
  const { prismaDir } = args;
  switch (args.command) {
    case 'generate': {
      // A client generated from a stale copy of a shared schema would not match its library.
      assertSharedSchemasInSync({ prismaDir });
      const started = Date.now();
      const services = args.services.length ? args.services : undefined;
      const results = await generateClients({ services, force: args.force, prismaDir });
      const generated = results.filter((r) => r.generated).map((r) => r.service);
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      console.log(
        generated.length
          ? `prisma-migrate: generated ${generated.join(', ')} (${results.length - generated.length} up to date, ${seconds} s)`
          : `prisma-migrate: ${results.length} clients up to date`,
      );
      return 0;
    }
    case 'deploy': {
      const applied = await applyMigrations(args.service, args.url, { prismaDir });
      console.log(
        applied.length
          ? `prisma-migrate: ${args.service}: applied ${applied.join(', ')}`
          : `prisma-migrate: ${args.service}: no pending migrations`,
      );
      return 0;
    }
    case 'create': {
      const { dir, sql } = await createMigration(args.service, args.name, {
        url: args.url,
        shadowUrl: args.shadowUrl,
        empty: args.empty,
        prismaDir,
      });
      if (!dir) {
        console.log(
          `prisma-migrate: ${args.service}: the migrations already build the schema; nothing written (--empty writes one anyway)`,
        );
        return 0;
      }
      console.log(
        `prisma-migrate: ${args.service}: wrote ${path.relative(process.cwd(), dir)}/migration.sql\n\n${sql}`,
      );
      return 0;
    }
    case 'check': {
      const staleCopies = inspectSharedSchemas({ prismaDir }).filter((copy) => copy.status !== 'up-to-date');
      for (const copy of staleCopies) {
        console.error(
          `✖ ${copy.service}: ${path.relative(process.cwd(), copy.path)} is ${copy.status} (its source is ${copy.source})\n` +
            `  Fix: npm run db -- sync, then npm run db -- create --service ${copy.service} --name <what-changed> --url <server url>\n`,
        );
      }
      const services = args.services.length ? args.services : undefined;
      const reports = await checkDrift({ url: args.url, shadowUrl: args.shadowUrl, services, prismaDir });
      const drifted = reports.filter((r) => !r.inSync);
      for (const report of drifted) {
        console.error(
          `✖ ${report.service}: the schema and its migrations differ. The migrations lack:\n\n${report.missingSql.trim()}\n\n` +
            `  Fix: npm run db -- create --service ${report.service} --name <what-changed> --url <server url>\n`,
        );
      }
      const inSync = reports.filter((r) => r.inSync).map((r) => r.service);
      if (inSync.length) console.log(`✔ ${inSync.join(', ')}: schema and migrations agree`);
      if (staleCopies.length === 0) console.log('✔ shared schema copies match their sources');
      return drifted.length || staleCopies.length ? 1 : 0;
    }
    case 'seed': {
      const report = await seedDatabase(args.service, args.url, { prismaDir });
      console.log(`prisma-migrate: ${args.service}: seeded: ${report.summary}`);
      return 0;
    }
    case 'sync': {
      const copies = syncSharedSchemas({ prismaDir });
      const written = copies.filter((copy) => copy.status !== 'up-to-date');
      for (const copy of written) {
        console.log(`prisma-migrate: ${copy.status === 'missing' ? 'wrote' : 'updated'} ${path.relative(process.cwd(), copy.path)}`);
      }
      console.log(
        written.length
          ? `prisma-migrate: ${written.length} copies written; create a migration for each service whose schema changed`
          : `prisma-migrate: ${copies.length} shared schema copies up to date`,
      );
      return 0;
    }
  }
}

function parse(argv: string[]): CliArguments {
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    process.exit(argv.length === 0 ? 2 : 0);
  }
  try {
    return parseCliArguments(argv, process.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`prisma-migrate: ${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
}

const args = parse(process.argv.slice(2));
main(args).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const code = error instanceof SchemaEngineError && error.code ? ` [${error.code}]` : '';
    const message = (error instanceof Error ? error.message : String(error)).replace(/^prisma-migrate: /, '');
    console.error(`prisma-migrate ${args.command} failed${code}: ${message}`);
    process.exit(1);
  },
);
