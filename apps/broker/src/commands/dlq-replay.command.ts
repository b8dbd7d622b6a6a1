import { resolveDeadLetterQueue } from '../dlq/dead-letter-queues';
import { DlqSettings } from '../dlq/dlq-settings';
import { ExitCode, type Command } from './command';
import {
  DlqConnectionFlags,
  DlqConnectionFlagsHelp,
  parseDlqCommandLine,
  positiveInteger,
  withDlqClient,
} from './dlq-options';

export const dlqReplayCommand: Command = {
  name: 'replay',
  summary: 'republish dead letters to where they were first published, attempts reset (all, or filtered)',
  help: `Usage: npm run broker -- dlq replay <queue> [--type T]... [--id ID]... [--limit N] [connection options]

<queue> is a work queue or its DLQ. Each selected message is republished to its original exchange
and routing key (the x-orderly-original-* headers; for a message the broker dead-lettered itself, its
x-death record) without any failure header (x-orderly-*, x-death), so it starts again at attempt 1,
with its original expiration restored. Each is published (mandatory) on a confirm channel and its
DLQ copy removed only after the broker's confirm (up to ${DlqSettings.replayWindow} await their confirm at once).

Nothing is lost if it is interrupted (Ctrl-C stops fetching and lets those in flight finish; a killed
process leaves
its unacknowledged messages to the broker, which returns them to the DLQ): every message is either
still in the DLQ or republished. Delivery is at-least-once: a message confirmed but not yet removed when
the process died is republished AND still in the DLQ; replaying it again is harmless for consumers with
an inbox (the message id is unchanged).

A message that cannot be republished (its exchange is gone, nothing is bound for its routing key, no
original recorded) stays in the DLQ and is reported; the exit code is then 1. Messages not selected
stay in place. The command looks at most at the messages the DLQ held when it started.

Options:
  --type T            only messages of this type (repeatable), e.g. inventory.reserve-stock
  --id ID             only the message with this id (repeatable)
  --limit N           replay at most N messages
${DlqConnectionFlagsHelp}`,

  async run(argv, output) {
    const { values, first } = parseDlqCommandLine(
      argv,
      {
        ...DlqConnectionFlags,
        type: { type: 'string', multiple: true },
        id: { type: 'string', multiple: true },
        limit: { type: 'string' },
      },
      ['queue'],
    );
    const queue = resolveDeadLetterQueue(first);
    const limit = positiveInteger(values.limit, '--limit');
    const stop = new AbortController();
    // Every signal is handled, not only the first: Ctrl-C under `npm run` reaches this process twice (from
    // the terminal, and forwarded by tools/scripts/run-ts.mjs). Finishing takes at most one window of
    // confirms; `kill -9` is always safe too.
    const onSignal = () => {
      if (stop.signal.aborted) return;
      output.err('interrupted: finishing the messages in flight (the rest stay in the DLQ)');
      stop.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const report = await withDlqClient(values, (client) =>
        client.replay(queue, {
          selection: { types: values.type, ids: values.id },
          limit,
          signal: stop.signal,
          onMessage(outcome) {
            const what = `${outcome.type ?? '(no type)'} ${outcome.id ?? '(no id)'}`;
            if (outcome.status === 'replayed') {
              output.out(
                `replayed ${what} → exchange "${outcome.target.exchange}" routing key "${outcome.target.routingKey}"`,
              );
            } else {
              output.err(`kept in the DLQ: ${what}: ${outcome.reason}`);
            }
          },
        }),
      );
      output.out(
        `${queue.name}: replayed ${report.replayed}, failed ${report.failed.length} (kept), not selected ${report.skipped} (kept); ` +
          `looked at ${report.examined} of the ${report.depthAtStart} message(s) it held at the start`,
      );
      if (report.interrupted) {
        output.err('interrupted: the messages not replayed are still in the DLQ');
        return ExitCode.failure;
      }
      return report.failed.length > 0 ? ExitCode.failure : ExitCode.ok;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};
