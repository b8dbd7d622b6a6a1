// `npm run broker -- <command>`: the broker app's command line (see apps/broker/README.md).
import { BrokerCommands } from './commands';
import { runCli } from './run-cli';

// `npm run broker -- status | head` closes our stdout early: that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

void runCli(process.argv.slice(2), BrokerCommands, {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
}).then((code) => {
  process.exitCode = code;
});
