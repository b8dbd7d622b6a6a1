import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const workspaceRoot = path.resolve(__dirname, '../../..');
/** The small service of libs/observability's tests: telemetry first, Nest, pino, /metrics, one SQL query per request. */
const TRACED_APP = path.join(workspaceRoot, 'libs/observability/src/test-support/traced-app.main.ts');

export interface TracedService {
  url: string;
  /**
   * CPU seconds (user + system) the service's node process has used so far; undefined where /proc is
   * missing (not Linux). Unlike throughput, CPU per request hardly moves when other work shares the machine.
   */
  cpuSeconds(): number | undefined;
  stop(): Promise<void>;
}

/** Linux reports process times in clock ticks, 100 per second on every architecture Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

/** The publish/consume service of the suite: AmqpClient and AmqpServer with their default hooks. */
export const TRACED_MESSAGING = path.join(__dirname, 'traced-messaging.main.ts');

/**
 * Runs a traced program as a process (as services run: tools/scripts/run-ts.mjs) with exactly `env`;
 * by default the HTTP app of libs/observability's tests. Ready when `readyPath` answers.
 */
export async function startTracedService(
  port: number,
  env: Record<string, string>,
  { program = TRACED_APP, readyPath = '/metrics' }: { program?: string; readyPath?: string } = {},
): Promise<TracedService> {
  const child: ChildProcess = spawn(
    process.execPath,
    [path.join(workspaceRoot, 'tools/scripts/run-ts.mjs'), program],
    {
      cwd: workspaceRoot,
      env: { ...env, PORT: String(port) },
      // Its log lines are written (pino's cost is part of a request) but not kept.
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`traced app exited:\n${errors}`);
    try {
      if ((await fetch(`${url}${readyPath}`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`traced app did not start:\n${errors}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  // run-ts.mjs runs the program as its own child: measure that process.
  const childrenFile = `/proc/${child.pid}/task/${child.pid}/children`;
  const servicePid = existsSync(childrenFile)
    ? readFileSync(childrenFile, 'utf8').trim().split(/\s+/)[0]
    : undefined;
  return {
    url,
    cpuSeconds() {
      if (!servicePid || !existsSync(`/proc/${servicePid}/stat`)) return undefined;
      // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
      const fields = readFileSync(`/proc/${servicePid}/stat`, 'utf8').split(') ')[1].split(' ');
      return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
