import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import path from 'node:path';

export interface FleetServiceSpec {
  /** App folder under `apps/` (= service name). */
  name: string;
  port: number;
  /** The service's whole environment (PATH and HOME are added); nothing is inherited from ours. */
  env: Record<string, string>;
}

export interface StartFleetOptions {
  /** Workspace root. */
  root: string;
  services: readonly FleetServiceSpec[];
  /** When set, each service's output also goes to `<logDir>/<name>.log`. */
  logDir?: string;
  progress?: (line: string) => void;
  /** How long a service may take to answer `GET /health/ready` with 200 (default `ReadyTimeoutMs`). */
  readyTimeoutMs?: number;
}

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunningService {
  name: string;
  url: string;
  logFile?: string;
  process: ChildProcess;
  /** The last part of what the process wrote (stdout and stderr interleaved). */
  output(): string;
  readonly exited: Promise<ProcessExit>;
}

/** Kept per service for error messages: enough for a stack trace and the lines before it. */
const OutputTailChars = 64 * 1024;
/** Time a service gets to drain and close after SIGTERM before it is killed. */
const StopGraceMs = 15_000;
const ReadyPollMs = 250;
/**
 * Four services compiling and booting at once on a busy 2-core machine have taken over 90 s to answer;
 * a service that exits is reported at once, so a generous bound costs nothing when things go wrong.
 */
const ReadyTimeoutMs = 180_000;

/**
 * The four services (or any of them) as real processes, the way they run in production: one Node.js
 * process each, started directly (not through `run-ts.mjs`, whose extra parent process could outlive a
 * kill and leave the service behind). `stop()` sends SIGTERM to each and waits for it to exit.
 */
export class ServiceFleet {
  readonly services: RunningService[] = [];
  private stopping = false;
  /** Services killed on purpose (fault tests): their exit is expected, not reported as a crash. */
  private readonly killed = new Set<RunningService>();
  private readonly progress: (line: string) => void;

  /** Create, keep a reference (so that `stop()` can end a start in progress), then `start()`. */
  constructor(private readonly options: StartFleetOptions) {
    this.progress = options.progress ?? (() => undefined);
  }

  /** Starts every service and waits until each is ready; on failure stops them all and rethrows. */
  async start(): Promise<this> {
    const { root, services, logDir, readyTimeoutMs = ReadyTimeoutMs } = this.options;
    try {
      for (const spec of services) {
        if (this.stopping) throw new Error('stopped while starting');
        this.services.push(this.spawn(root, spec, logDir));
      }
      this.progress(`waiting for ${this.services.map((s) => s.name).join(', ')} to report ready…`);
      await Promise.all(
        this.services.map((service) =>
          waitForReady(service, readyTimeoutMs).then(() =>
            this.progress(`${service.name} is ready at ${service.url}`),
          ),
        ),
      );
      return this;
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  url(name: string): string {
    const service = this.services.find((s) => s.name === name);
    if (!service) throw new Error(`no service ${name} in this fleet`);
    return service.url;
  }

  /** The OS process id of a running service (e.g. to read its memory use). */
  pid(name: string): number {
    const pid = this.running(name).process.pid;
    if (pid === undefined) throw new Error(`${name} has no process id (it failed to spawn)`);
    return pid;
  }

  /**
   * Sends `signal` (default SIGKILL: no drain, no shutdown hook, as a crashed host) to one service and
   * resolves with its exit once it is gone. For fault tests; `restart(name)` brings it back.
   */
  async kill(name: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<ProcessExit> {
    const service = this.running(name);
    this.killed.add(service);
    if (service.process.exitCode === null && service.process.signalCode === null)
      service.process.kill(signal);
    return service.exited;
  }

  /**
   * Starts a service again with the spec it was first started with (same port, same environment) and
   * waits until it is ready. A service still running is killed first (SIGKILL).
   */
  async restart(
    name: string,
    { readyTimeoutMs = this.options.readyTimeoutMs ?? ReadyTimeoutMs } = {},
  ): Promise<RunningService> {
    const index = this.services.findIndex((s) => s.name === name);
    const spec = this.options.services.find((s) => s.name === name);
    if (index < 0 || !spec) throw new Error(`no service ${name} in this fleet`);
    if (this.stopping) throw new Error(`fleet is stopping: ${name} not restarted`);
    await this.kill(name);
    const service = this.spawn(this.options.root, spec, this.options.logDir);
    this.services[index] = service;
    await waitForReady(service, readyTimeoutMs);
    this.progress(`${service.name} is ready again at ${service.url}`);
    return service;
  }

  /** SIGTERM to every service (each drains in-flight work and closes); SIGKILL after a grace period. */
  async stop(): Promise<Array<{ name: string; exit: ProcessExit }>> {
    this.stopping = true;
    return Promise.all(
      this.services.map(async (service) => {
        if (service.process.exitCode === null && service.process.signalCode === null) {
          const timer = setTimeout(() => service.process.kill('SIGKILL'), StopGraceMs);
          service.process.kill('SIGTERM');
          await service.exited;
          clearTimeout(timer);
        }
        return { name: service.name, exit: await service.exited };
      }),
    );
  }

  private running(name: string): RunningService {
    const service = this.services.find((s) => s.name === name);
    if (!service) throw new Error(`no service ${name} in this fleet`);
    return service;
  }

  private spawn(root: string, spec: FleetServiceSpec, logDir: string | undefined): RunningService {
    const child = spawn(
      process.execPath,
      [
        '--enable-source-maps',
        '--require',
        '@swc-node/register',
        path.join(root, 'apps', spec.name, 'src/main.ts'),
      ],
      {
        cwd: root,
        env: {
          PATH: process.env['PATH'] ?? '',
          HOME: process.env['HOME'] ?? '',
          // swc keeps Nest's decorator metadata and resolves the @orderly/* aliases (as run-ts.mjs does).
          SWC_NODE_PROJECT: path.join(root, 'tsconfig.base.json'),
          ...spec.env,
          PORT: String(spec.port),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let tail = '';
    const logFile = logDir ? path.join(logDir, `${spec.name}.log`) : undefined;
    // A restarted service appends to its log: what it wrote before the kill is evidence.
    const flags = this.services.some((s) => s.name === spec.name) ? 'a' : 'w';
    const log: WriteStream | undefined = logFile ? createWriteStream(logFile, { flags }) : undefined;
    const collect = (chunk: Buffer) => {
      tail = (tail + chunk.toString()).slice(-OutputTailChars);
      log?.write(chunk);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const exited = new Promise<ProcessExit>((resolve) =>
      child.once('exit', (code, signal) => {
        log?.end();
        if (!this.stopping && !this.killed.has(service)) {
          this.progress(`✖ ${spec.name} exited (${code ?? signal})${logFile ? `; its log: ${logFile}` : ''}`);
        }
        resolve({ code, signal });
      }),
    );
    const service: RunningService = {
      name: spec.name,
      url: `http://127.0.0.1:${spec.port}`,
      logFile,
      process: child,
      output: () => tail,
      exited,
    };
    return service;
  }
}

async function waitForReady(service: RunningService, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  let ended = false;
  void service.exited.then(() => (ended = true));
  while (Date.now() < deadline) {
    if (ended) throw new Error(`${service.name} exited before it was ready:\n${service.output()}`);
    try {
      const response = await fetch(`${service.url}/health/ready`);
      if (response.ok) return;
      last = `${response.status} ${await response.text()}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, ReadyPollMs));
  }
  throw new Error(
    `${service.name} not ready within ${timeoutMs / 1000} s (last answer: ${last})\n${service.output()}`,
  );
}
