import { resolveDeadLetterQueue } from '../dlq/dead-letter-queues';
import { DlqSettings } from '../dlq/dlq-settings';
import { formatDeadLetter } from '../dlq/format-dead-letter';
import { ExitCode, type Command } from './command';
import {
  DlqConnectionFlags,
  DlqConnectionFlagsHelp,
  parseDlqCommandLine,
  positiveInteger,
  withDlqClient,
} from './dlq-options';

export const dlqPeekCommand: Command = {
  name: 'peek',
  summary: 'show the first messages of a DLQ (why, where, when, body) and leave them in place',
  help: `Usage: npm run broker -- dlq peek <queue> [--limit N] [connection options]

<queue> is a work queue (inventory-service.commands) or its DLQ (inventory-service.commands.dlq).
Prints the first N messages: type, id, attempts, error, original exchange and routing key, first and
last failure, consumer, other headers, and the body (indented when it is JSON).

The messages stay in the DLQ, in their order: they are fetched unacknowledged (basic.get), held until
all are read, then returned with basic.nack(requeue) — a classic queue puts a returned message back in
its place. If the command dies, the broker returns them itself. They are marked "redelivered".

Options:
  --limit N           how many messages (default ${DlqSettings.peekLimit})
${DlqConnectionFlagsHelp}`,

  async run(argv, output) {
    const { values, first } = parseDlqCommandLine(
      argv,
      { ...DlqConnectionFlags, limit: { type: 'string' } },
      ['queue'],
    );
    const queue = resolveDeadLetterQueue(first);
    const limit = positiveInteger(values.limit, '--limit') ?? DlqSettings.peekLimit;
    const now = new Date();
    const { depth, messages } = await withDlqClient(values, async (client) => ({
      depth: await client.depth(queue.name),
      messages: await client.peek(queue.name, limit),
    }));
    output.out(
      `${queue.name}: ${depth} message(s)${messages.length < depth ? `, showing the first ${messages.length}` : ''}`,
    );
    messages.forEach((message, index) => {
      output.out('');
      for (const line of formatDeadLetter(message, index + 1, queue.workQueue, now)) output.out(line);
    });
    return ExitCode.ok;
  },
};
