import { parseArgs, type ParseArgsConfig } from 'node:util';
import { Topology } from '@orderly/contracts';
import { LocalNodeEnv } from '../broker-settings';
import { resolveAmqpTarget } from '../dlq/amqp-target';
import { DeadLetterQueueClient } from '../dlq/dead-letter-queue-client';
import { AmqpConnectionError } from '../dlq/dlq-errors';
import { BrokerError, UsageError } from '../errors/broker-error';

/** How every `dlq` command reaches the broker (parseArgs option specs). */
export const DlqConnectionFlags = {
  url: { type: 'string' },
  'amqp-url': { type: 'string' },
  vhost: { type: 'string' },
} as const;

export const DlqConnectionFlagsHelp = `  --url <url>         the broker's management API, e.g. http://admin:secret@broker:15672 (default: the
                      local node of \`start\`, http://127.0.0.1:15672 or ${LocalNodeEnv.managementPort});
                      asked for the AMQP port, the commands then connect to that port on the same host
  --amqp-url <url>    connect to this AMQP listener instead, e.g. amqp://broker:5672 (no management API needed)
  --vhost <name>      default "${Topology.vhost}"
Credentials: the broker administrator, from the URL's user info, else ${LocalNodeEnv.adminUser} /
${LocalNodeEnv.adminPassword}, else the local node's administrator (generated password).`;

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/**
 * Strict flags plus exactly `positionals.length` positional arguments (named for the error message);
 * `first` is the first of them (the queue), '' when none is expected.
 */
export function parseDlqCommandLine<T extends OptionsConfig>(
  argv: string[],
  options: T,
  positionals: readonly string[],
) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (parsed.positionals.length !== positionals.length) {
    throw new UsageError(
      positionals.length === 0
        ? `unexpected argument "${parsed.positionals[0]}"`
        : parsed.positionals.length < positionals.length
          ? `missing <${positionals[parsed.positionals.length]}>`
          : `unexpected argument "${parsed.positionals[positionals.length]}"`,
    );
  }
  return { values: parsed.values, first: parsed.positionals[0] ?? '' };
}

/** A `--limit`-style flag: a whole number ≥ 1. */
export function positiveInteger(raw: string | undefined, flag: string): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < 1) {
    throw new UsageError(`${flag} must be a whole number of at least 1, got "${raw}"`);
  }
  return value;
}

/** Connects as the administrator, runs `use`, and always closes the connection. */
export async function withDlqClient<T>(
  flags: { url?: string; 'amqp-url'?: string; vhost?: string },
  use: (client: DeadLetterQueueClient) => Promise<T>,
): Promise<T> {
  const target = await resolveAmqpTarget(flags, flags.vhost ?? Topology.vhost, process.env);
  const client = await DeadLetterQueueClient.connect(target.url, target.shownUrl, target.vhost);
  try {
    return await use(client);
  } catch (error) {
    if (isBrokerFailure(error)) {
      throw new AmqpConnectionError(
        `the broker at ${target.shownUrl} ended the operation: ${(error as Error).message}. ` +
          'Messages not finished are still in the DLQ.',
        { cause: error },
      );
    }
    throw error;
  } finally {
    await client.close();
  }
}

/** A channel or connection closed by the broker (AMQP reply code) or lost, as amqplib reports it. */
function isBrokerFailure(error: unknown): boolean {
  if (error instanceof BrokerError || !(error instanceof Error)) return false;
  const { code } = error as { code?: unknown };
  return (
    typeof code === 'number' || error.name === 'IllegalOperationError' || /\bclosed\b/i.test(error.message)
  );
}
