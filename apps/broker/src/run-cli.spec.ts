import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BrokerCommands } from './commands';
import { parseOptions, type CliEntry, type Command } from './commands/command';
import { BrokerError } from './errors/broker-error';
import { runCli } from './run-cli';

class OperatorFacingError extends BrokerError {
  readonly code = 'BROKER.TEST';
}

function capture() {
  const lines = { out: [] as string[], err: [] as string[] };
  return { lines, output: { out: (l: string) => lines.out.push(l), err: (l: string) => lines.err.push(l) } };
}

const echo: Command = {
  name: 'echo',
  summary: 'prints its --text',
  help: 'Usage: echo --text <text>',
  async run(argv, output) {
    const options = parseOptions(argv, {
      text: { type: 'string' },
      fail: { type: 'boolean', default: false },
    });
    if (options.fail) throw new OperatorFacingError('the broker said no');
    output.out(options.text ?? '');
    return 0;
  },
};
// A command group the way the DLQ tools slot in: `dlq <command>`.
const dlq: CliEntry = {
  name: 'dlq',
  summary: 'dead-letter queues',
  commands: [{ ...echo, name: 'list', summary: 'list DLQs' }],
};
const entries: CliEntry[] = [echo, dlq];

describe('runCli', () => {
  it('lists the commands for --help, and exits 2 with the list when no command is given', async () => {
    const help = capture();
    expect(await runCli(['--help'], entries, help.output)).toBe(0);
    expect(help.lines.out.join('\n')).toMatch(/echo\s+prints its --text/);
    expect(help.lines.out.join('\n')).toMatch(/dlq\s+dead-letter queues/);

    const none = capture();
    expect(await runCli([], entries, none.output)).toBe(2);
    expect(none.lines.err.join('\n')).toContain('Usage: npm run broker -- <command>');
  });

  it('runs a command with its options, and a command of a group', async () => {
    const plain = capture();
    expect(await runCli(['echo', '--text', 'hi'], entries, plain.output)).toBe(0);
    expect(plain.lines.out).toEqual(['hi']);

    const grouped = capture();
    expect(await runCli(['dlq', 'list', '--text', 'parked'], entries, grouped.output)).toBe(0);
    expect(grouped.lines.out).toEqual(['parked']);
  });

  it('exits 2 with the usage for an unknown command, subcommand or option', async () => {
    for (const argv of [['nope'], ['dlq', 'nope'], ['echo', '--nope']]) {
      const run = capture();
      expect(await runCli(argv, entries, run.output)).toBe(2);
      expect(run.lines.err.join('\n')).toMatch(/unknown|Unknown option/);
      expect(run.lines.err.join('\n')).toMatch(/Usage:/);
    }
  });

  it('prints a command help for --help without running it', async () => {
    const run = capture();
    expect(await runCli(['echo', '--fail', '--help'], entries, run.output)).toBe(0);
    expect(run.lines.out).toEqual(['Usage: echo --text <text>']);
  });

  it('prints the message alone of a library error that follows the AREA.REASON code convention', async () => {
    const notInstalled = Object.assign(
      new Error('rabbitmq-server was not found. Install RabbitMQ:\n  sudo apt-get install rabbitmq-server'),
      {
        code: 'LOCAL_SERVERS.RABBITMQ_NOT_INSTALLED',
      },
    );
    const failing: Command = { ...echo, name: 'start', run: () => Promise.reject(notInstalled) };
    const run = capture();
    expect(await runCli(['start'], [failing], run.output)).toBe(1);
    expect(run.lines.err).toEqual([`error: ${notInstalled.message}`]);
  });

  it('exits 1 with the error message (no stack) when a command fails', async () => {
    const run = capture();
    expect(await runCli(['echo', '--fail'], entries, run.output)).toBe(1);
    expect(run.lines.err).toEqual(['error: the broker said no']);
  });
});

describe('npm run broker -- definitions --check', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'orderly-cli-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 1 for a stale file and names the command that regenerates it; 0 once regenerated', async () => {
    const file = path.join(dir, 'definitions.json');
    writeFileSync(file, '{}\n');
    const stale = capture();
    expect(await runCli(['definitions', '--check', '--file', file], BrokerCommands, stale.output)).toBe(1);
    expect(stale.lines.err.join('\n')).toContain('run `npm run broker -- definitions`');

    expect(await runCli(['definitions', '--file', file], BrokerCommands, capture().output)).toBe(0);
    expect(await runCli(['definitions', '--check', '--file', file], BrokerCommands, capture().output)).toBe(
      0,
    );
  });
});
