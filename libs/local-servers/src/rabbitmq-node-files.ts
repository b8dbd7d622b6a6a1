import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The files of a node under its base folder. Everything a node has lives there, nothing elsewhere. */
export function rabbitMqNodeFiles(baseDir: string) {
  return {
    baseDir,
    /** RabbitMQ wants the config path without its `.conf` suffix. */
    config: path.join(baseDir, 'rabbitmq'),
    conf: path.join(baseDir, 'rabbitmq.conf'),
    /** Deliberately absent: keeps a machine-wide /etc/rabbitmq/advanced.config out of our node. */
    advancedConfig: path.join(baseDir, 'advanced.config'),
    /** Deliberately empty: keeps a machine-wide rabbitmq-env.conf (NODENAME, ports) out of our node. */
    envConf: path.join(baseDir, 'rabbitmq-env.conf'),
    enabledPlugins: path.join(baseDir, 'enabled_plugins'),
    definitions: path.join(baseDir, 'definitions.json'),
    featureFlags: path.join(baseDir, 'feature_flags'),
    cookie: path.join(baseDir, '.erlang.cookie'),
    mnesia: path.join(baseDir, 'mnesia'),
    /** Copies of the TLS listener's PEM files (option `tls`). */
    tlsDir: path.join(baseDir, 'tls'),
    tlsCa: path.join(baseDir, 'tls', 'ca.pem'),
    tlsCert: path.join(baseDir, 'tls', 'server-cert.pem'),
    tlsKey: path.join(baseDir, 'tls', 'server-key.pem'),
    logDir: path.join(baseDir, 'log'),
    /** The node's stdout and stderr: with `log.console = true` this is its whole log. */
    console: path.join(baseDir, 'log', 'console.log'),
    /** Written by RabbitMQ (the Erlang VM's pid) once it boots; removed on a clean stop. */
    pid: path.join(baseDir, 'pid'),
    /** Written by RabbitMqNode, so that another process can find and stop the node. */
    state: path.join(baseDir, 'node.json'),
  };
}

/** What RabbitMqNode records about a running node in `node.json`. */
export interface RabbitMqNodeState {
  nodeName: string;
  /** The launcher script's pid: leader of the node's process group. */
  launcherPid: number;
  adminUser: string;
  amqpUrl: string;
  managementUrl: string;
  prometheusUrl: string;
  epmdPort: number;
  /** No epmd answered on `epmdPort` before this node started, so the node's start launched it. */
  startedEpmd: boolean;
  startedAt: string;
}

export function readNodeState(baseDir: string): RabbitMqNodeState | undefined {
  const file = rabbitMqNodeFiles(baseDir).state;
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as RabbitMqNodeState;
  } catch {
    return undefined;
  }
}

export function writeNodeState(baseDir: string, state: RabbitMqNodeState): void {
  // It holds the administrator's password (inside the URLs): readable by its owner only.
  writeFileSync(rabbitMqNodeFiles(baseDir).state, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

export function removeNodeState(baseDir: string): void {
  rmSync(rabbitMqNodeFiles(baseDir).state, { force: true });
}
