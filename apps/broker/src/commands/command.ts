import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../errors/broker-error';

/** Where a command writes: stdout for results, stderr for progress and problems (tests capture both). */
export interface CommandOutput {
  out(line: string): void;
  err(line: string): void;
}

/** Exit codes of `npm run broker`, the same for every command. */
export const ExitCode = {
  ok: 0,
  /** The command ran and failed (broker unreachable, conflict, stale file). */
  failure: 1,
  /** The command line was wrong. */
  usage: 2,
  /** `status`: no node runs (LSB's code for a stopped service). */
  notRunning: 3,
} as const;

/** One `npm run broker -- <name>` command, in its own file under src/commands/. */
export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Full help: usage line, options with defaults, examples. */
  help: string;
  run(argv: string[], output: CommandOutput): Promise<number>;
}

/** Commands under a common first word (`npm run broker -- dlq list|peek|replay`). */
export interface CommandGroup {
  name: string;
  summary: string;
  commands: readonly Command[];
}

export type CliEntry = Command | CommandGroup;

export const isGroup = (entry: CliEntry): entry is CommandGroup => 'commands' in entry;

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** `node:util` parseArgs, strict, without positionals; a wrong flag becomes a `UsageError`. */
export function parseOptions<T extends OptionsConfig>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** A TCP port from a flag, else an environment variable, else the default. */
export function portOption(
  flag: string | undefined,
  env: string | undefined,
  fallback: number,
  name: string,
): number {
  const raw = flag ?? env;
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(`${name} must be a port number (1-65535), got "${raw}"`);
  }
  return port;
}

/** A URL with its password replaced, for output. */
export function redactUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
