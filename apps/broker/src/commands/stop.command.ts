import { rmSync } from 'node:fs';
import path from 'node:path';
import { RabbitMqNode } from '@orderly/local-servers';
import { workspaceRoot } from '../broker-settings';
import { ExitCode, parseOptions, type Command } from './command';
import { LocalNodeFlags, LocalNodeFlagsHelp, nodeDirOf } from './local-node-options';

export const stopCommand: Command = {
  name: 'stop',
  summary: 'stop the local node of `start` (--purge: also delete its data)',
  help: `Usage: npm run broker -- stop [--purge] [--dir <path>]

Stops the node cleanly (as \`rabbitmqctl stop\` would; killed after 30 s), and the epmd it started if no
other node uses it. Succeeds when no node runs.

Options:
  --purge                   delete the node's folder afterwards (queues, messages, users): the next
                            \`start\` begins from an empty broker
${LocalNodeFlagsHelp}`,

  async run(argv, output) {
    const options = parseOptions(argv, { ...LocalNodeFlags, purge: { type: 'boolean', default: false } });
    const dir = nodeDirOf(options.dir);
    const shownDir = path.relative(workspaceRoot, dir) || dir;
    const status = await RabbitMqNode.status(dir);
    const stopped = await RabbitMqNode.stopExisting(dir);
    output.out(
      stopped
        ? `stopped node ${status.nodeName ?? ''} of ${shownDir}`.replace('  ', ' ')
        : `no node runs from ${shownDir}`,
    );
    if (options.purge) {
      rmSync(dir, { recursive: true, force: true });
      output.out(`deleted ${shownDir}`);
    }
    return ExitCode.ok;
  },
};
