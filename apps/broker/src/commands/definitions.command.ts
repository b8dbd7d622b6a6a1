import path from 'node:path';
import { BrokerFiles, workspaceRoot } from '../broker-settings';
import {
  definitionsFileState,
  RegenerateDefinitionsCommand,
  writeDefinitionsFile,
} from '../definitions/definitions-file';
import { ExitCode, parseOptions, type Command } from './command';

export const definitionsCommand: Command = {
  name: 'definitions',
  summary: 'regenerate apps/broker/definitions.json from the topology (--check: fail when stale)',
  help: `Usage: npm run broker -- definitions [--check] [--file <path>]

Writes RabbitMQ definitions (vhost, exchanges, queues, bindings, policies, one passwordless user per
service with its permissions) built from libs/contracts/src/topology/topology.ts.

Options:
  --check         write nothing; exit 1 when the file is missing or differs from the topology
  --file <path>   the definitions file (default: apps/broker/definitions.json)`,

  async run(argv, output) {
    const options = parseOptions(argv, {
      check: { type: 'boolean', default: false },
      file: { type: 'string' },
    });
    const file = options.file ? path.resolve(options.file) : BrokerFiles.definitions;
    const shown = path.relative(workspaceRoot, file) || file;

    if (options.check) {
      const state = definitionsFileState(file);
      if (state === 'fresh') {
        output.out(`${shown} matches the topology`);
        return ExitCode.ok;
      }
      output.err(
        `${shown} is ${state === 'missing' ? 'missing' : 'stale (the topology changed)'}: run \`${RegenerateDefinitionsCommand}\` and commit it`,
      );
      return ExitCode.failure;
    }
    const changed = writeDefinitionsFile(file);
    output.out(changed ? `wrote ${shown}` : `${shown} already matches the topology`);
    return ExitCode.ok;
  },
};
