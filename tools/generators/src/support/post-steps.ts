import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { type GeneratorCallback, logger, type Tree } from '@nx/devkit';

export const DefinitionsFile = 'apps/broker/definitions.json';

/**
 * Steps that derive files from what the generator wrote, with the workspace's own commands, which read
 * from disk: they can only run once Nx wrote the tree. Nx runs a generator's callback after writing
 * and never in `--dry-run`, so a dry run changes nothing; it lists what would follow.
 */
export function afterWriting(
  tree: Tree,
  steps: ReadonlyArray<{ what: string; command: string[] }>,
): GeneratorCallback {
  for (const step of steps)
    logger.info(`then: npm run ${step.command.join(' ')} (${step.what}; not in --dry-run)`);
  return () => {
    for (const step of steps) {
      const [script, ...args] = step.command;
      execFileSync(
        process.execPath,
        [
          path.join(tree.root, 'tools/scripts/run-ts.mjs'),
          Scripts[script],
          ...args.filter((arg) => arg !== '--'),
        ],
        {
          cwd: tree.root,
          stdio: 'inherit',
        },
      );
    }
  };
}

/** The entry points of the package.json scripts the generators run. */
const Scripts: Record<string, string> = {
  broker: 'apps/broker/src/cli.ts',
  db: 'tools/prisma-migrate/src/cli.ts',
};

export const regenerateDefinitions = {
  what: `regenerates ${DefinitionsFile} from the topology`,
  command: ['broker', '--', 'definitions'],
};
export const generateClient = (prismaDir: string) => ({
  what: `generates the Prisma client of prisma/${prismaDir}`,
  command: ['db', '--', 'generate', '--service', prismaDir],
});
