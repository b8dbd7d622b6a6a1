import { createInterface } from 'node:readline/promises';
import { resolveDeadLetterQueue } from '../dlq/dead-letter-queues';
import { ConfirmationRequiredError } from '../dlq/dlq-errors';
import { ExitCode, type Command } from './command';
import {
  DlqConnectionFlags,
  DlqConnectionFlagsHelp,
  parseDlqCommandLine,
  withDlqClient,
} from './dlq-options';

export const dlqPurgeCommand: Command = {
  name: 'purge',
  summary: 'delete every message of a DLQ (asks first unless --yes)',
  help: `Usage: npm run broker -- dlq purge <queue> [--yes] [connection options]

<queue> is a work queue or its DLQ. Deletes every ready message of the DLQ, for good. Asks for
confirmation on the terminal; without a terminal (a script, CI) it refuses unless --yes is given.

Options:
  --yes               do not ask
${DlqConnectionFlagsHelp}`,

  async run(argv, output) {
    const { values, first } = parseDlqCommandLine(
      argv,
      { ...DlqConnectionFlags, yes: { type: 'boolean', default: false } },
      ['queue'],
    );
    const queue = resolveDeadLetterQueue(first);
    const interactive = Boolean(process.stdin.isTTY && process.stderr.isTTY);
    if (!values.yes && !interactive) {
      throw new ConfirmationRequiredError(
        `refusing to purge ${queue.name} without confirmation: there is no terminal to ask on; pass --yes`,
      );
    }
    return withDlqClient(values, async (client) => {
      const depth = await client.depth(queue.name);
      if (depth === 0) {
        output.out(`${queue.name} is empty: nothing to purge`);
        return ExitCode.ok;
      }
      if (
        !values.yes &&
        !(await confirm(`Delete the ${depth} message(s) of ${queue.name} for good? [y/N] `))
      ) {
        output.err('not purged');
        return ExitCode.failure;
      }
      const purged = await client.purge(queue.name);
      output.out(`purged ${purged} message(s) from ${queue.name}`);
      return ExitCode.ok;
    });
  },
};

async function confirm(question: string): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await prompt.question(question)).trim());
  } finally {
    prompt.close();
  }
}
