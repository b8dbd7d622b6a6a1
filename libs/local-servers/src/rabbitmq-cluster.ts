import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { epmdNames, stopEpmd } from './epmd';
import { freePorts } from './free-port';
import { RabbitMqNode } from './rabbitmq-node';
import type { RabbitMqNodeOptions } from './rabbitmq-node-options';

const run = promisify(execFile);

export interface RabbitMqClusterOptions
  extends Pick<
    RabbitMqNodeOptions,
    'confFile' | 'enabledPluginsFile' | 'adminUser' | 'adminPassword' | 'settings' | 'startTimeoutMs' | 'rabbitmqBinDir'
  > {
  /** Each node's folder is `<baseDir>/node-<n>`. */
  baseDir: string;
  /** Node names are `<namePrefix>-<n>@localhost`; unique on the machine. */
  namePrefix: string;
  /** Nodes in the cluster; default 3 (the smallest size where a quorum queue survives losing one). */
  size?: number;
  /** Each node's log lines, prefixed with its name. */
  onLog?: (line: string) => void;
}

/**
 * A cluster of project-owned RabbitMQ nodes on this machine (see RabbitMqNode): distinct names, ports
 * and folders, one Erlang cookie, one epmd of their own. The first node forms the cluster; the others
 * join it at their first boot (classic peer discovery, listing the first node), so every node is a disc
 * member and quorum queues get a member on each. For tests and demos of replication, not a production
 * layout.
 */
export class RabbitMqCluster {
  private constructor(
    readonly nodes: readonly RabbitMqNode[],
    private readonly epmdPort: number,
  ) {}

  /** Starts the first node, then the others in parallel, which join it. 20–45 s on a small machine. */
  static async start(options: RabbitMqClusterOptions): Promise<RabbitMqCluster> {
    const size = options.size ?? 3;
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`cluster size must be an integer >= 1, got ${size}`);
    // Peers find each other's distribution ports through epmd: they must share one.
    const [epmdPort, ...ports] = await freePorts(1 + 4 * size);
    const erlangCookie = randomBytes(24).toString('hex');
    const names = Array.from({ length: size }, (_, i) => `${options.namePrefix}-${i + 1}@localhost`);
    const nodes = names.map((nodeName, i) => {
      const [amqpPort, managementPort, prometheusPort, distPort] = ports.slice(4 * i, 4 * i + 4) as [number, number, number, number];
      return new RabbitMqNode({
        ...options,
        baseDir: path.join(options.baseDir, `node-${i + 1}`),
        nodeName,
        amqpPort,
        managementPort,
        prometheusPort,
        distPort,
        epmdPort: epmdPort as number,
        erlangCookie,
        settings: {
          ...options.settings,
          // On its first boot (empty data folder) a node joins the first node, which is already running
          // then: the same as `rabbitmqctl join_cluster`, without the three CLI runs per node (each one
          // boots an Erlang VM: 3-8 s here). On later boots the node rejoins its cluster by itself.
          ...(i > 0
            ? {
                'cluster_formation.peer_discovery_backend': 'rabbit_peer_discovery_classic_config',
                'cluster_formation.classic_config.nodes.1': names[0] as string,
              }
            : {}),
        },
        onLog: options.onLog && ((line) => options.onLog?.(`[${nodeName}] ${line}`)),
      });
    });
    const cluster = new RabbitMqCluster(nodes, epmdPort as number);
    try {
      // The first node alone starts epmd (two starting it at once would race for the port), and must
      // be up before the others look for it.
      const [first, ...others] = nodes as [RabbitMqNode, ...RabbitMqNode[]];
      await first.start();
      await Promise.all(others.map((node) => node.start()));
      const running = await cluster.runningNodes(first);
      if (running.length !== size) {
        throw new Error(`cluster did not form: ${first.nodeName} sees ${running.join(', ') || 'no node'} running`);
      }
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  /** Node names, in order (`<prefix>-1@localhost`, …). */
  get nodeNames(): string[] {
    return this.nodes.map((node) => node.nodeName);
  }

  node(name: string): RabbitMqNode {
    const node = this.nodes.find((candidate) => candidate.nodeName === name);
    if (!node) throw new Error(`no node ${name} in the cluster (${this.nodeNames.join(', ')})`);
    return node;
  }

  /** Runs `rabbitmqctl <args>` against `node` and resolves with its output. */
  async ctl(node: RabbitMqNode, ...args: string[]): Promise<string> {
    const { command, env } = node.controlCommand();
    const { stdout } = await run(command, ['-n', node.nodeName, ...args], { env, timeout: 90_000 });
    return stdout;
  }

  /** The cluster's running members as `via` sees them (its management API), sorted. */
  async runningNodes(via: RabbitMqNode): Promise<string[]> {
    const url = new URL(via.managementUrl);
    const auth = Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64');
    const response = await fetch(`http://${url.host}/api/nodes?columns=name,running`, {
      headers: { authorization: `Basic ${auth}` },
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) throw new Error(`GET /api/nodes on ${via.nodeName}: ${response.status}`);
    const nodes = (await response.json()) as Array<{ name: string; running: boolean }>;
    return nodes.filter((node) => node.running).map((node) => node.name).sort();
  }

  /**
   * Stops every node (in parallel) and the cluster's epmd. Each node's folder stays (its `stop()`
   * keeps it); the caller removes `baseDir`.
   */
  async stop(): Promise<void> {
    await Promise.allSettled(this.nodes.map((node) => node.stop()));
    // A node stops the epmd only if its own start launched it and nobody else uses it then; the nodes
    // stopped together, so make sure it is gone.
    for (let attempt = 0; attempt < 25; attempt += 1) {
      const names = await epmdNames(this.epmdPort);
      if (names === undefined) return;
      if (names.length === 0 && (await stopEpmd(this.epmdPort))) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
