import type { CliEntry } from './command';
import { definitionsCommand } from './definitions.command';
import { dlqCommands } from './dlq.commands';
import { provisionCommand } from './provision.command';
import { startCommand } from './start.command';
import { statusCommand } from './status.command';
import { stopCommand } from './stop.command';

/**
 * Every command of `npm run broker`, in the order `--help` lists them. A group of subcommands (the DLQ
 * tools: `dlq list|peek|replay|purge`) is one `CommandGroup` entry here, its commands in `dlq-*.command.ts`.
 */
export const BrokerCommands: readonly CliEntry[] = [
  startCommand,
  statusCommand,
  stopCommand,
  provisionCommand,
  definitionsCommand,
  dlqCommands,
];
