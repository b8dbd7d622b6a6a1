import { type ChildProcess, spawn } from 'node:child_process';
import type { ComposeModel } from './compose-demo-target';

/**
 * The `docker compose` command lines the demo runs, in the repository root (where docker-compose.yml
 * and .env are). `up` waits until every service is healthy (or running, for those without a health
 * check; `tempo-init` is awaited by `tempo`, so its exit does not fail the wait), and `down` keeps the
 * named volumes: the data survives, as after any `docker compose down`.
 */
export const ComposeCommands = {
  version: ['compose', 'version'],
  config: ['compose', 'config', '--format', 'json'],
  up: ['compose', 'up', '--detach', '--build', '--wait'],
  down: ['compose', 'down'],
} as const satisfies Record<string, readonly string[]>;

export interface ComposeStackOptions {
  /** The repository root: the compose project's folder. */
  root: string;
  /** The `docker` executable (on the PATH by default). */
  docker?: string;
}

/**
 * The Docker Compose stack of docker-compose.yml, driven through the `docker compose` CLI: the same
 * commands a user types, with compose's own progress on the terminal. `LocalStack` is its counterpart
 * without Docker.
 */
export class ComposeStack {
  private readonly docker: string;
  private running?: ChildProcess;

  constructor(private readonly options: ComposeStackOptions) {
    this.docker = options.docker ?? 'docker';
  }

  /** Whether `docker compose` exists here (the compose plugin, not only the docker client). */
  async available(): Promise<boolean> {
    try {
      await this.run(ComposeCommands.version, { quiet: true });
      return true;
    } catch {
      return false;
    }
  }

  /** The model `up` runs: the compose files merged and interpolated with .env (holds secrets: not printed). */
  async config(): Promise<ComposeModel> {
    return JSON.parse(await this.run(ComposeCommands.config, { quiet: true })) as ComposeModel;
  }

  /** Builds the images and starts the stack, compose's progress on the terminal; resolves once all is healthy. */
  async up(): Promise<void> {
    await this.run(ComposeCommands.up);
  }

  /** Stops and removes the containers; the volumes (databases, broker, Grafana) stay. */
  async down(): Promise<void> {
    await this.run(ComposeCommands.down);
  }

  /** Stops the command under way, if any (Ctrl-C of the demo), and waits for it to end. */
  async interrupt(signal: NodeJS.Signals = 'SIGINT'): Promise<void> {
    const child = this.running;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
  }

  /**
   * Runs `docker <args>` in the root. Quiet commands answer their stdout and fail with their stderr;
   * the others write to the terminal.
   */
  private run(args: readonly string[], { quiet = false } = {}): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.docker, args, {
        cwd: this.options.root,
        stdio: quiet ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'inherit', 'inherit'],
      });
      this.running = child;
      let stdout = '';
      let stderr = '';
      child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.once('error', reject);
      child.once('exit', (code, signal) => {
        if (code === 0) return resolve(stdout);
        const how = signal ? `was stopped by ${signal}` : `exited with code ${code}`;
        reject(
          new Error(`${this.docker} ${args.join(' ')} ${how}${stderr.trim() ? `:\n${stderr.trim()}` : ''}`),
        );
      });
    });
  }
}
