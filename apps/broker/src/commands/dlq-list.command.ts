import { deadLetterQueuesOf } from '../dlq/dead-letter-queues';
import { describeDeadLetter } from '../dlq/dead-letter';
import { DeadLetterQueueMissingError } from '../dlq/dlq-errors';
import { formatAge } from '../dlq/format-dead-letter';
import { ExitCode, type Command } from './command';
import {
  DlqConnectionFlags,
  DlqConnectionFlagsHelp,
  parseDlqCommandLine,
  withDlqClient,
} from './dlq-options';

export const dlqListCommand: Command = {
  name: 'list',
  summary: 'every dead-letter queue with its depth and the age of its oldest message',
  help: `Usage: npm run broker -- dlq list [--url <management url> | --amqp-url <url>] [--vhost <name>]

One line per DLQ of the topology (\`<queue>.dlq\`): ready messages (exact, from the broker at this
moment), and the oldest message's age — when its last attempt failed (the x-orderly-failed-at header,
or the broker's x-death time for a message the broker dead-lettered). The oldest message is read by
fetching the head message and returning it to its place (see \`dlq peek\`).
Exit code 1 when a DLQ of the topology is missing on the broker.

Options:
${DlqConnectionFlagsHelp}`,

  async run(argv, output) {
    const { values } = parseDlqCommandLine(argv, DlqConnectionFlags, []);
    const queues = deadLetterQueuesOf();
    const now = new Date();
    const rows = await withDlqClient(values, async (client) => {
      const result: string[][] = [];
      for (const queue of queues) {
        let depth: number;
        try {
          depth = await client.depth(queue.name);
        } catch (error) {
          if (!(error instanceof DeadLetterQueueMissingError)) throw error;
          result.push([queue.name, 'missing', '-', '-']);
          continue;
        }
        const [head] = depth > 0 ? await client.peek(queue.name, 1) : [];
        const failedAt = head ? describeDeadLetter(head, queue.workQueue).lastFailedAt : undefined;
        result.push([
          queue.name,
          String(depth),
          failedAt ? formatAge(now.getTime() - failedAt.getTime()) : head ? 'unknown' : '-',
          failedAt ? failedAt.toISOString() : '-',
        ]);
      }
      return result;
    });

    const header = ['dead-letter queue', 'messages', 'oldest', 'oldest failed at'];
    const table = [header, ...rows];
    const widths = header.map((_, column) => Math.max(...table.map((row) => (row[column] ?? '').length)));
    const align = (cell: string, column: number) =>
      column === 1 ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0);
    for (const row of table) output.out(row.map(align).join('  ').trimEnd());
    const missing = rows.filter((row) => row[1] === 'missing');
    if (missing.length > 0) {
      output.err(
        `${missing.length} dead-letter queue(s) missing on the broker: run \`npm run broker -- provision\``,
      );
      return ExitCode.failure;
    }
    return ExitCode.ok;
  },
};
