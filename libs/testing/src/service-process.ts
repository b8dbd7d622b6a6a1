import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { workspaceRoot } from './workspace-root';

export interface ServiceProcess {
  readonly child: ChildProcess;
  /** Everything the process wrote so far (stdout and stderr interleaved). */
  output(): string;
  /** Resolves with the exit code (or signal) once the process ended. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Polls `GET url` until it answers 200 or the process dies; throws with the output on timeout. */
  waitForHttp(url: string, timeoutMs?: number): Promise<unknown>;
  /** Sends SIGTERM and waits for the exit (SIGKILL after `timeoutMs`). */
  stop(timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Runs a service's real entry point (`apps/<name>/src/main.ts`) as its own process, the way it runs in
 * production, with exactly the environment given (plus PATH/HOME).
 */
export function startServiceProcess(app: string, env: Record<string, string>): ServiceProcess {
  const root = workspaceRoot();
  const child = spawn(
    process.execPath,
    [path.join(root, 'tools/scripts/run-ts.mjs'), path.join(root, 'apps', app, 'src/main.ts')],
    { cwd: root, env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...env } },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let ended = false;
  void exited.then(() => (ended = true));

  return {
    child,
    output: () => output,
    exited,
    async waitForHttp(url, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      let last = 'no answer';
      while (Date.now() < deadline) {
        if (ended) throw new Error(`${app} exited before ${url} answered:\n${output}`);
        try {
          const response = await fetch(url);
          const body = await response.json().catch(() => undefined);
          if (response.ok) return body;
          last = `${response.status} ${JSON.stringify(body)}`;
        } catch (error) {
          last = (error as Error).message;
        }
        await new Promise((r) => setTimeout(r, 250));
      }
      throw new Error(`${app}: ${url} did not answer 200 within ${timeoutMs} ms (last: ${last})\n${output}`);
    },
    async stop(timeoutMs = 15_000) {
      if (!ended) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
        await exited;
        clearTimeout(timer);
      }
      return exited;
    },
  };
}
