import path from 'node:path';
import { RabbitMqNode } from '@orderly/local-servers';
import { Topology } from '@orderly/contracts';
import { workspaceRoot } from '../broker-settings';
import { apiPath, ManagementClient } from '../provision/management-client';
import { ExitCode, parseOptions, type Command, type CommandOutput } from './command';
import { LocalNodeFlags, LocalNodeFlagsHelp, nodeDirOf } from './local-node-options';
import { managementTarget } from './management-target';

interface QueueRow {
  name: string;
  type?: string;
  messages_ready?: number;
  messages_unacknowledged?: number;
  consumers?: number;
}

export const statusCommand: Command = {
  name: 'status',
  summary: 'is the local node running? its ports, node name, and the depth of every queue',
  help: `Usage: npm run broker -- status [--url <management url>] [--vhost <name>] [--dir <path>]

Without --url: the local node of \`start\` (running or not, its node name and URLs), then its queues.
With --url: the queues of any broker (credentials in the URL, or RABBITMQ_ADMIN_USER / RABBITMQ_ADMIN_PASSWORD).
Exit code: 0 running, 3 not running, 1 running but not answering.

Options:
  --url <url>      a broker's management API instead of the local node
  --vhost <name>   default "${Topology.vhost}"
${LocalNodeFlagsHelp}`,

  async run(argv, output) {
    const options = parseOptions(argv, {
      ...LocalNodeFlags,
      url: { type: 'string' },
      vhost: { type: 'string' },
    });
    const vhost = options.vhost ?? Topology.vhost;
    if (options.url) {
      const target = managementTarget(options.url, process.env);
      await printQueues(new ManagementClient(target.url, target.credentials), vhost, output);
      return ExitCode.ok;
    }

    const dir = nodeDirOf(options.dir);
    const shownDir = path.relative(workspaceRoot, dir) || dir;
    const status = await RabbitMqNode.status(dir);
    if (!status.running) {
      output.out(`not running: no node in ${shownDir} (start one with \`npm run broker -- start\`)`);
      return ExitCode.notRunning;
    }
    output.out(
      `running: node ${status.nodeName} (pid ${status.pid}) from ${shownDir}${status.ready ? '' : ', NOT answering yet'}`,
    );
    const { amqpUrl, managementUrl, prometheusUrl } = status;
    if (amqpUrl) output.out(`  AMQP:          ${origin(amqpUrl)}  (vhost ${vhost}, one user per service)`);
    if (managementUrl)
      output.out(
        `  management UI: ${origin(managementUrl)}  (administrator ${decodeURIComponent(new URL(managementUrl).username)})`,
      );
    if (prometheusUrl) output.out(`  Prometheus:    ${prometheusUrl}/metrics`);
    if (!status.ready || !managementUrl) return ExitCode.failure;
    await printQueues(new ManagementClient(managementUrl), vhost, output);
    return ExitCode.ok;
  },
};

async function printQueues(api: ManagementClient, vhost: string, output: CommandOutput): Promise<void> {
  const overview = await api.get<{ rabbitmq_version: string; node: string }>('/overview');
  if ((await api.find(apiPath`/vhosts/${vhost}`)) === undefined) {
    output.out(
      `RabbitMQ ${overview.rabbitmq_version} (${overview.node}): no vhost "${vhost}" (run \`npm run broker -- provision\`)`,
    );
    return;
  }
  const queues = await api.get<QueueRow[]>(
    apiPath`/queues/${vhost}` + '?columns=name,type,messages_ready,messages_unacknowledged,consumers',
  );
  output.out(
    `RabbitMQ ${overview.rabbitmq_version} (${overview.node}), vhost "${vhost}": ${queues.length} queue(s)`,
  );
  const header = ['queue', 'type', 'ready', 'unacked', 'consumers'];
  const rows = [
    header,
    // A queue's counters appear with its first statistics, a few seconds after it is declared.
    ...queues.map((q) => [
      q.name,
      q.type ?? '?',
      num(q.messages_ready),
      num(q.messages_unacknowledged),
      num(q.consumers),
    ]),
  ];
  const widths = header.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  const align = (cell: string, column: number) =>
    column < 2 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0);
  for (const row of rows) output.out(`  ${row.map(align).join('  ')}`);
}

const num = (value: number | undefined) => (value === undefined ? '-' : String(value));
/** `amqp://127.0.0.1:5672`: scheme, host and port, without the administrator's credentials. */
const origin = (url: string) => {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}`;
};
