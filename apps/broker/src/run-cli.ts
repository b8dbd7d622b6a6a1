import { BrokerError, UsageError } from './errors/broker-error';
import { ExitCode, isGroup, type CliEntry, type Command, type CommandOutput } from './commands/command';

const isHelp = (arg: string | undefined) => arg === '--help' || arg === '-h' || arg === 'help';

function listing(prefix: string, entries: readonly CliEntry[]): string {
  const width = Math.max(...entries.map((entry) => entry.name.length));
  return (
    entries.map((entry) => `  ${entry.name.padEnd(width)}  ${entry.summary}`).join('\n') +
    `\n\nRun \`${prefix} <command> --help\` for its options.`
  );
}

/**
 * `npm run broker -- <command> [options]`, or `<group> <command> [options]` for grouped commands.
 * Resolves with the exit code; never throws: errors are printed with what to do about them.
 */
export async function runCli(
  argv: string[],
  entries: readonly CliEntry[],
  output: CommandOutput,
): Promise<number> {
  const program = 'npm run broker --';
  const usage = `Usage: ${program} <command> [options]\n\nCommands:\n${listing(program, entries)}`;
  const [name, ...rest] = argv;
  if (name === undefined || isHelp(name)) {
    (name === undefined ? output.err : output.out)(usage);
    return name === undefined ? ExitCode.usage : ExitCode.ok;
  }

  const entry = entries.find((candidate) => candidate.name === name);
  if (!entry) {
    output.err(`unknown command "${name}"\n\n${usage}`);
    return ExitCode.usage;
  }
  let command: Command;
  let args: string[];
  if (isGroup(entry)) {
    const groupUsage = `Usage: ${program} ${entry.name} <command> [options]\n\nCommands:\n${listing(`${program} ${entry.name}`, entry.commands)}`;
    const [sub, ...subArgs] = rest;
    if (sub === undefined || isHelp(sub)) {
      (sub === undefined ? output.err : output.out)(groupUsage);
      return sub === undefined ? ExitCode.usage : ExitCode.ok;
    }
    const found = entry.commands.find((candidate) => candidate.name === sub);
    if (!found) {
      output.err(`unknown command "${entry.name} ${sub}"\n\n${groupUsage}`);
      return ExitCode.usage;
    }
    [command, args] = [found, subArgs];
  } else {
    [command, args] = [entry, rest];
  }

  if (args.some((arg) => arg === '--help' || arg === '-h')) {
    output.out(command.help);
    return ExitCode.ok;
  }
  try {
    return await command.run(args, output);
  } catch (error) {
    if (error instanceof UsageError) {
      output.err(`${error.message}\n\n${command.help}`);
      return ExitCode.usage;
    }
    if (isOperatorFacing(error)) {
      output.err(`error: ${error.message}`);
      return ExitCode.failure;
    }
    output.err(`unexpected error: ${(error as Error)?.stack ?? String(error)}`);
    return ExitCode.failure;
  }
}

/**
 * Errors written for operators: ours (`BrokerError`) and those of the libraries we drive, which follow
 * the same convention (a stable `code` `AREA.REASON`, e.g. LOCAL_SERVERS.RABBITMQ_NOT_INSTALLED, whose
 * message says how to install RabbitMQ). Their message is the whole story; a stack would hide it.
 */
function isOperatorFacing(error: unknown): error is Error {
  if (error instanceof BrokerError) return true;
  const code = (error as { code?: unknown })?.code;
  return error instanceof Error && typeof code === 'string' && /^[A-Z][A-Z_]*\.[A-Z][A-Z_]*$/.test(code);
}
