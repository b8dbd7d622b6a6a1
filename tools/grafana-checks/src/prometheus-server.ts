import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface PromResult {
  metric: Record<string, string>;
  value?: [number, string];
}

/**
 * A throw-away Prometheus (Debian's `prometheus` package) for one test file: its own config and storage
 * in a temporary folder, listening on 127.0.0.1.
 */
export class PrometheusServer {
  private output = '';

  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly url: string,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
  }

  static async start(config: string, port: number): Promise<PrometheusServer> {
    const dir = mkdtempSync(path.join(tmpdir(), 'orderly-prometheus-'));
    writeFileSync(path.join(dir, 'prometheus.yml'), config);
    const child = spawn(
      'prometheus',
      [
        `--config.file=${path.join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${path.join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const server = new PrometheusServer(child, dir, `http://127.0.0.1:${port}`);
    const failed = new Promise<never>((_, reject) => {
      child.once('error', (error) =>
        reject(
          new Error(
            `cannot run prometheus (${error.message}): install it with \`apt-get install -y prometheus\``,
          ),
        ),
      );
      child.once('exit', (code) => reject(new Error(`prometheus exited (${code}):\n${server.output}`)));
    });
    failed.catch(() => undefined);
    await Promise.race([server.waitUntilReady(), failed]);
    return server;
  }

  /** Runs an instant query; throws with Prometheus' error for an invalid one. */
  async query(expr: string): Promise<PromResult[]> {
    const response = await fetch(`${this.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await response.json()) as {
      status: string;
      error?: string;
      data?: { result: PromResult[] | unknown };
    };
    if (body.status !== 'success') throw new Error(body.error ?? `HTTP ${response.status}`);
    const result = body.data?.result;
    return Array.isArray(result)
      ? (result as PromResult[])
      : [{ metric: {}, value: result as [number, string] }];
  }

  async api<T>(apiPath: string): Promise<T> {
    const response = await fetch(`${this.url}/api/v1/${apiPath}`);
    return ((await response.json()) as { data: T }).data;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async waitUntilReady(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      try {
        if ((await fetch(`${this.url}/-/ready`)).ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`prometheus not ready within ${timeoutMs} ms:\n${this.output}`);
  }
}
