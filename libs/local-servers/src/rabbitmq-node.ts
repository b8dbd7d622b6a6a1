import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, copyFileSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ServerStartError } from './errors/server-start.error';
import { portAnswers } from './free-port';
import { followLog, logTail } from './log-file';
import { startWatchdog } from './process-watchdog';
import { confValue, deriveRabbitMqConf } from './rabbitmq-conf';
import { type Definitions, withAdministrator } from './rabbitmq-definitions';
import { findRabbitMq } from './rabbitmq-installation';
import type { RabbitMqNodeOptions } from './rabbitmq-node-options';
import {
  nodeAnswers,
  nodeStatus,
  StopGraceMs,
  stopNode,
  type RabbitMqNodeStatus,
} from './rabbitmq-node-control';
import {
  readNodeState,
  rabbitMqNodeFiles,
  writeNodeState,
  type RabbitMqNodeState,
} from './rabbitmq-node-files';
import { blockedAncestor, chownTree, findSystemUser, runningAsRoot, type SystemUser } from './system-user';

const DefaultEpmdPort = 4369;

/**
 * A project-owned RabbitMQ node, started from the machine's `rabbitmq-server` with Orderly's broker
 * configuration, in a folder of its own: no system service, nothing shared with other nodes but
 * (optionally) epmd. See README.md for what it guarantees.
 */
export class RabbitMqNode {
  private readonly files: ReturnType<typeof rabbitMqNodeFiles>;
  private watchdog?: { dismiss(): void };
  private follower?: { stop(): void };

  constructor(private readonly options: RabbitMqNodeOptions) {
    this.files = rabbitMqNodeFiles(path.resolve(options.baseDir));
  }

  get nodeName(): string {
    return this.options.nodeName;
  }

  /**
   * The administrator into vhost `/` over TLS (option `tls`). The host is `localhost`, the name a test
   * certificate is issued for, so that clients can verify it.
   */
  get amqpsUrl(): string {
    const { adminUser, adminPassword, tls } = this.options;
    if (!tls) throw new Error(`node ${this.options.nodeName} has no TLS listener (option tls)`);
    return `amqps://${encodeURIComponent(adminUser)}:${encodeURIComponent(adminPassword)}@localhost:${tls.port}/%2F`;
  }

  /** The administrator into vhost `/`. */
  get amqpUrl(): string {
    const { adminUser, adminPassword, amqpPort } = this.options;
    return `amqp://${encodeURIComponent(adminUser)}:${encodeURIComponent(adminPassword)}@127.0.0.1:${amqpPort}/%2F`;
  }

  /** `http://user:pass@127.0.0.1:port` of the management API and UI, as the administrator. */
  get managementUrl(): string {
    const { adminUser, adminPassword, managementPort } = this.options;
    return `http://${encodeURIComponent(adminUser)}:${encodeURIComponent(adminPassword)}@127.0.0.1:${managementPort}`;
  }

  /** Prometheus endpoint root: aggregated metrics at /metrics, per queue at /metrics/per-object. */
  get prometheusUrl(): string {
    return `http://127.0.0.1:${this.options.prometheusPort}`;
  }

  /**
   * Boots the node and resolves once the administrator can use the management API and the AMQP
   * listener is up. On failure the node is stopped and a ServerStartError carries its log's tail.
   */
  async start(): Promise<void> {
    const { baseDir } = this.files;
    const installation = findRabbitMq(this.options.rabbitmqBinDir);
    const existing = await RabbitMqNode.status(baseDir);
    if (existing.running) {
      throw new ServerStartError(
        'rabbitmq',
        'already-running',
        `node ${existing.nodeName ?? '?'} (pid ${existing.pid}) already runs from ${baseDir}; use it, or stop it with RabbitMqNode.stopExisting`,
      );
    }
    const owner = this.prepareFolder();
    const epmdPort = this.options.epmdPort ?? DefaultEpmdPort;
    const startedEpmd = !(await portAnswers(epmdPort));

    const started = Date.now();
    const child = await this.spawnNode(installation.server, owner);
    const launcherPid = child.pid as number;
    writeNodeState(baseDir, {
      nodeName: this.options.nodeName,
      launcherPid,
      adminUser: this.options.adminUser,
      amqpUrl: this.amqpUrl,
      managementUrl: this.managementUrl,
      prometheusUrl: this.prometheusUrl,
      epmdPort,
      startedEpmd,
      startedAt: new Date(started).toISOString(),
    } satisfies RabbitMqNodeState);
    if (this.options.detached) {
      child.unref();
    } else {
      this.watchdog = startWatchdog({
        label: `rabbitmq ${this.options.nodeName}`,
        pid: launcherPid,
        // The launcher script traps SIGTERM and forwards it to the VM, which shuts down cleanly.
        stopSignal: 'SIGTERM',
        graceMs: StopGraceMs,
        processGroup: launcherPid,
        epmdPort: startedEpmd ? epmdPort : undefined,
      });
    }
    if (this.options.onLog) this.follower = followLog(this.files.console, this.options.onLog);

    try {
      await this.waitUntilReady(child);
    } catch (error) {
      await this.stop();
      throw error;
    }
    this.options.onLog?.(
      `node ${this.options.nodeName} ready in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  }

  /** Stops the node cleanly (SIGKILL after 30 s) and waits until none of its processes is left. */
  async stop(): Promise<void> {
    this.watchdog?.dismiss();
    this.watchdog = undefined;
    try {
      await RabbitMqNode.stopExisting(this.files.baseDir);
    } finally {
      this.follower?.stop();
      this.follower = undefined;
    }
  }

  /** The node of `baseDir`, seen from any process (e.g. a CLI's `status`), through its pid files. */
  /**
   * How to run `rabbitmqctl` against this node from any process: the real script (not Debian's `su`
   * wrapper, which resets HOME and so loses the node's Erlang cookie) and the node's environment.
   * Fault tests use it to stop and start the broker application under load.
   */
  controlCommand(): { command: string; env: Record<string, string> } {
    const { binDir } = findRabbitMq(this.options.rabbitmqBinDir);
    const env = Object.fromEntries(
      Object.entries(this.environment()).filter((entry): entry is [string, string] => entry[1] !== undefined),
    );
    return { command: path.join(binDir, 'rabbitmqctl'), env };
  }

  static status(baseDir: string): Promise<RabbitMqNodeStatus> {
    return nodeStatus(baseDir);
  }

  /**
   * Stops the node of `baseDir`, from any process: SIGTERM to the Erlang VM (RabbitMQ shuts down as
   * `rabbitmqctl stop` would: closes connections, stops queues, flushes the message store), SIGKILL to
   * its process group after `timeoutMs`, then any straggler of the node, then the epmd its start
   * launched if no other node uses it. Resolves true when a node was running.
   */
  static stopExisting(baseDir: string, timeoutMs = StopGraceMs): Promise<boolean> {
    return stopNode(baseDir, timeoutMs);
  }
  /** Writes the node's files and returns the user the node runs as (when we are root). */
  private prepareFolder(): SystemUser | undefined {
    const { files, options } = this;
    for (const dir of [files.baseDir, files.mnesia, files.logDir]) mkdirSync(dir, { recursive: true });
    const conf = deriveRabbitMqConf(
      readFileSync(options.confFile, 'utf8'),
      options.confFile,
      this.nodeSettings(),
    );
    writeFileSync(files.conf, conf, { mode: 0o600 });
    copyFileSync(options.enabledPluginsFile, files.enabledPlugins);
    writeFileSync(
      files.envConf,
      '# Empty on purpose: no machine-wide rabbitmq-env.conf applies to this node.\n',
    );
    rmSync(files.advancedConfig, { force: true });
    rmSync(files.pid, { force: true });
    if (options.definitionsFile) {
      // A copy inside the folder: the node's user may not be able to read the original where it is.
      const definitions = JSON.parse(readFileSync(options.definitionsFile, 'utf8')) as Definitions;
      const merged = withAdministrator(definitions, options.adminUser, options.adminPassword);
      writeFileSync(files.definitions, `${JSON.stringify(merged, null, 2)}\n`, { mode: 0o600 });
    } else {
      rmSync(files.definitions, { force: true });
    }
    if (options.tls) {
      // Copies inside the folder, readable by the node's user (the originals may sit anywhere).
      mkdirSync(files.tlsDir, { recursive: true });
      copyFileSync(options.tls.caFile, files.tlsCa);
      copyFileSync(options.tls.certFile, files.tlsCert);
      copyFileSync(options.tls.keyFile, files.tlsKey);
    }
    if (options.erlangCookie) {
      rmSync(files.cookie, { force: true });
      writeFileSync(files.cookie, options.erlangCookie, { mode: 0o400 });
    }
    // RabbitMQ runs fine as root, but its packages run it as `rabbitmq`, and so do we when we can.
    const owner = runningAsRoot() ? findSystemUser('rabbitmq') : undefined;
    if (owner) {
      const blocked = blockedAncestor(files.baseDir, owner);
      if (blocked) {
        throw new ServerStartError(
          'rabbitmq',
          'cannot-run',
          `user rabbitmq cannot enter ${blocked}; choose a baseDir it can reach`,
        );
      }
      chownTree(files.baseDir, owner);
    }
    return owner;
  }

  /** The node's own rabbitmq.conf keys, on top of the base file. */
  private nodeSettings(): Record<string, string> {
    const { options, files } = this;
    const host = options.host ?? '127.0.0.1';
    const users: Record<string, string> = options.definitionsFile
      ? // The administrator comes with the definitions (see withAdministrator for why).
        { load_definitions: files.definitions }
      : {
          default_user: confValue('adminUser', options.adminUser),
          default_pass: confValue('adminPassword', options.adminPassword),
          'default_user_tags.administrator': 'true',
          'default_permissions.configure': '.*',
          'default_permissions.write': '.*',
          'default_permissions.read': '.*',
        };
    const tls: Record<string, string> = options.tls
      ? {
          'listeners.ssl.default': `${host}:${options.tls.port}`,
          'ssl_options.cacertfile': files.tlsCa,
          'ssl_options.certfile': files.tlsCert,
          'ssl_options.keyfile': files.tlsKey,
          // verify_peer also makes the server check a certificate a client offers without being asked.
          'ssl_options.verify': options.tls.requireClientCert ? 'verify_peer' : 'verify_none',
          'ssl_options.fail_if_no_peer_cert': options.tls.requireClientCert ? 'true' : 'false',
        }
      : {};
    return {
      'listeners.tcp.default': `${host}:${options.amqpPort}`,
      ...tls,
      'management.tcp.ip': host,
      'management.tcp.port': String(options.managementPort),
      'prometheus.tcp.ip': host,
      'prometheus.tcp.port': String(options.prometheusPort),
      ...users,
      ...options.settings,
    };
  }

  private environment(): NodeJS.ProcessEnv {
    const { options, files } = this;
    // Nothing of a developer's own RabbitMQ or Erlang setup may leak into the node.
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(
        ([name]) => !name.startsWith('RABBITMQ_') && !name.startsWith('ERL_'),
      ),
    );
    const loopback = (options.host ?? '127.0.0.1') === '127.0.0.1';
    return {
      ...inherited,
      // The Erlang cookie lives in $HOME: one per node folder, not the user's.
      HOME: files.baseDir,
      RABBITMQ_BASE: files.baseDir,
      RABBITMQ_MNESIA_BASE: files.mnesia,
      RABBITMQ_LOG_BASE: files.logDir,
      RABBITMQ_NODENAME: options.nodeName,
      RABBITMQ_CONFIG_FILE: files.config,
      RABBITMQ_ADVANCED_CONFIG_FILE: files.advancedConfig,
      RABBITMQ_CONF_ENV_FILE: files.envConf,
      RABBITMQ_ENABLED_PLUGINS_FILE: files.enabledPlugins,
      RABBITMQ_FEATURE_FLAGS_FILE: files.featureFlags,
      RABBITMQ_PID_FILE: files.pid,
      RABBITMQ_DIST_PORT: String(options.distPort),
      ERL_EPMD_PORT: String(options.epmdPort ?? DefaultEpmdPort),
      ERL_CRASH_DUMP: path.join(files.logDir, 'erl_crash.dump'),
      ...(loopback
        ? {
            ERL_EPMD_ADDRESS: '127.0.0.1',
            RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
          }
        : {}),
    };
  }

  private async spawnNode(server: string, owner: SystemUser | undefined): Promise<ChildProcess> {
    // Output goes to a file, never a pipe: a detached node outlives us, and a node writing into a
    // pipe nobody reads any more would block or crash.
    const out = openSync(this.files.console, 'w');
    if (owner) chownTree(this.files.logDir, owner);
    try {
      // Its own process group (detached), so that it can be killed as a whole, and so that a
      // terminal's Ctrl-C does not hit the node's processes one by one: the watchdog (or the
      // detached node's owner) stops it cleanly instead.
      const child = spawn(server, [], {
        cwd: this.files.baseDir,
        env: this.environment(),
        detached: true,
        stdio: ['ignore', out, out],
        ...(owner ? { uid: owner.uid, gid: owner.gid } : {}),
      });
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', (error) =>
          reject(
            new ServerStartError('rabbitmq', 'cannot-run', `could not run ${server}: ${error.message}`, '', {
              cause: error,
            }),
          ),
        );
      });
      return child;
    } finally {
      closeSync(out);
    }
  }

  private async waitUntilReady(child: ChildProcess): Promise<void> {
    const timeoutMs = this.options.startTimeoutMs ?? 90_000;
    const deadline = Date.now() + timeoutMs;
    let exit: string | undefined;
    child.once('exit', (code, sig) => (exit = sig ? `signal ${sig}` : `code ${code}`));
    const state = readNodeState(this.files.baseDir) as RabbitMqNodeState;
    for (;;) {
      if (exit !== undefined) {
        const tail = logTail(this.files.console);
        const portTaken = /eaddrinuse|dist_port_already_used/i.test(tail);
        throw new ServerStartError(
          'rabbitmq',
          portTaken ? 'port-in-use' : 'exited',
          `node ${this.options.nodeName} exited during boot (${exit})${portTaken ? '; one of its ports is taken' : ''}`,
          tail,
        );
      }
      if (await nodeAnswers(state)) return;
      if (Date.now() >= deadline) {
        throw new ServerStartError(
          'rabbitmq',
          'timeout',
          `node ${this.options.nodeName} was not ready after ${timeoutMs / 1000} s`,
          logTail(this.files.console),
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
