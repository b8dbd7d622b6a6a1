import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  defaultPrismaDir,
  findServiceDatabases,
  readSchemaFiles,
  serviceDatabase,
  type SchemaFile,
} from './service-databases';

export interface GenerateClientsOptions {
  prismaDir?: string;
  services?: string[];
  /** Generate even when the client is up to date. */
  force?: boolean;
}

export interface GeneratedClient {
  service: string;
  /** False when the client was already generated from the same inputs (skipped). */
  generated: boolean;
}

/** Written into `generated/` after a successful run: the inputs the client was generated from. */
const STAMP = '.inputs-sha256';

/**
 * `prisma generate` for each service (all at once), skipping a client whose inputs (schema files,
 * prisma.config.ts, Prisma's version) are unchanged since it was generated: `npm test` runs this
 * every time. A content hash rather than file times, so a checkout or `touch` does not regenerate and
 * an edit always does.
 */
export async function generateClients(options: GenerateClientsOptions = {}): Promise<GeneratedClient[]> {
  const prismaDir = options.prismaDir ?? defaultPrismaDir();
  const dbs = options.services
    ? options.services.map((service) => serviceDatabase(service, prismaDir))
    : findServiceDatabases(prismaDir);
  const prismaCli = require.resolve('prisma/build/index.js');
  const prismaVersion = (
    JSON.parse(readFileSync(require.resolve('prisma/package.json'), 'utf8')) as { version: string }
  ).version;

  return Promise.all(
    dbs.map(async (db): Promise<GeneratedClient> => {
      const schemaFiles = readSchemaFiles(db);
      const hash = clientInputsHash(prismaVersion, readFileSync(db.configFile, 'utf8'), schemaFiles);
      const stamp = path.join(db.generatedDir, STAMP);
      const upToDate =
        existsSync(path.join(db.generatedDir, 'client.ts')) &&
        existsSync(stamp) &&
        readFileSync(stamp, 'utf8') === hash;
      if (upToDate && !options.force) return { service: db.service, generated: false };

      await runPrisma(prismaCli, ['generate', '--config', db.configFile], {
        cwd: db.dir,
        // `prisma generate` never runs the schema engine, but Prisma 7 tries to download its binary
        // unless this names an existing file; a non-executable one fails loudly should that change.
        PRISMA_SCHEMA_ENGINE_BINARY: process.env['PRISMA_SCHEMA_ENGINE_BINARY'] ?? db.configFile,
      });
      writeFileSync(stamp, hash);
      return { service: db.service, generated: true };
    }),
  );
}

export function clientInputsHash(
  prismaVersion: string,
  config: string,
  schemaFiles: readonly SchemaFile[],
): string {
  const hash = createHash('sha256').update(`prisma@${prismaVersion}\0${config}\0`);
  for (const file of schemaFiles) hash.update(`${file.path}\0${file.content}\0`);
  return hash.digest('hex');
}

function runPrisma(
  cli: string,
  args: string[],
  options: { cwd: string } & Record<string, string>,
): Promise<void> {
  const { cwd, ...env } = options;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [cli, ...args],
      // No update check or telemetry call: only the npm registry is reachable here.
      { cwd, env: { ...process.env, CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1', ...env } },
      (error, stdout, stderr) =>
        error ? reject(new Error(`prisma ${args.join(' ')} failed:\n${stdout}${stderr}`)) : resolve(),
    );
  });
}
