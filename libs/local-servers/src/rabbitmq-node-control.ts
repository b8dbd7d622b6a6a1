import path from 'node:path';
import { epmdNames, stopEpmd } from './epmd';
import {
  hasEnvironment,
  isAlive,
  processesWithEnvironment,
  readPidFile,
  signal,
  waitForExit,
} from './os-processes';
import {
  rabbitMqNodeFiles,
  readNodeState,
  removeNodeState,
  type RabbitMqNodeState,
} from './rabbitmq-node-files';

// The half of RabbitMqNode that works from any process, through the node's folder alone: a CLI's
// `status` and `stop` run long after the `start` that spawned the node has exited.

/** What `RabbitMqNode.status` finds about the node of a folder, from any process. */
export interface RabbitMqNodeStatus {
  running: boolean;
  /** The management API answers the administrator, and the AMQP listener is up. */
  ready: boolean;
  pid?: number;
  nodeName?: string;
  amqpUrl?: string;
  managementUrl?: string;
  prometheusUrl?: string;
}

/** Stopping flushes queues and the message store; a test node stops in 2–8 s. */
export const StopGraceMs = 30_000;

export async function nodeStatus(baseDir: string): Promise<RabbitMqNodeStatus> {
  const folder = path.resolve(baseDir);
  const state = readNodeState(folder);
  const pids = nodePids(folder, state);
  if (!state || pids.length === 0) return { running: false, ready: false };
  return {
    running: true,
    ready: await nodeAnswers(state),
    pid: pids[pids.length - 1],
    nodeName: state.nodeName,
    amqpUrl: state.amqpUrl,
    managementUrl: state.managementUrl,
    prometheusUrl: state.prometheusUrl,
  };
}

export async function stopNode(baseDir: string, timeoutMs: number): Promise<boolean> {
  const folder = path.resolve(baseDir);
  const state = readNodeState(folder);
  const pids = nodePids(folder, state);
  const vm = readPidFile(rabbitMqNodeFiles(folder).pid);
  if (pids.length > 0) {
    // To the VM once it has written its pid file; before that, to the launcher script, which traps
    // SIGTERM and forwards it to the VM.
    signal(vm !== undefined && pids.includes(vm) ? vm : (pids[0] as number), 'SIGTERM');
    if (!(await waitForExit(pids, timeoutMs))) {
      if (state) signal(-state.launcherPid, 'SIGKILL');
      for (const pid of pids) signal(pid, 'SIGKILL');
      await waitForExit(pids, 5_000);
    }
  }
  // erl_child_setup, inet_gethost and the disk monitor's shell leave with the VM; this catches one that
  // did not (Linux only). The node's epmd is spared here: it may serve other nodes (handled below).
  const stragglers = processesWithEnvironment('RABBITMQ_BASE', folder).filter(
    (p) => !/\bepmd\b/.test(p.command),
  );
  for (const straggler of stragglers) signal(straggler.pid, 'SIGKILL');
  if (state?.startedEpmd) await stopIdleEpmd(state.epmdPort);
  removeNodeState(folder);
  return pids.length > 0;
}

/** The administrator gets an answer from the management API, and the AMQP listener is among the node's. */
export async function nodeAnswers(state: RabbitMqNodeState): Promise<boolean> {
  const url = new URL(state.managementUrl);
  const auth = Buffer.from(
    `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`,
  ).toString('base64');
  const get = async <T>(apiPath: string): Promise<T | undefined> => {
    const response = await fetch(`http://${url.host}/api${apiPath}`, {
      headers: { authorization: `Basic ${auth}` },
      signal: AbortSignal.timeout(2_000),
    });
    return response.ok ? ((await response.json()) as T) : undefined;
  };
  try {
    const whoami = await get<{ name: string }>('/whoami');
    if (whoami?.name !== state.adminUser) return false;
    // Management starts before the AMQP listener, which can still fail (port taken) after it.
    const overview = await get<{ listeners?: { protocol: string; port: number }[] }>('/overview');
    const amqpPort = Number(new URL(state.amqpUrl).port);
    return overview?.listeners?.some((l) => l.protocol === 'amqp' && l.port === amqpPort) ?? false;
  } catch {
    return false;
  }
}

/**
 * The live processes of the node of `folder`: its launcher and its Erlang VM. A pid is only trusted if
 * the process still carries the node's RABBITMQ_BASE (pids are reused after a reboot), where we can tell.
 */
function nodePids(folder: string, state: RabbitMqNodeState | undefined): number[] {
  const candidates = [state?.launcherPid, readPidFile(rabbitMqNodeFiles(folder).pid)];
  return candidates.filter(
    (pid): pid is number =>
      pid !== undefined && isAlive(pid) && hasEnvironment(pid, 'RABBITMQ_BASE', folder) !== false,
  );
}

/**
 * Stops the epmd a node launched once no node is registered with it any more. A node unregisters when
 * its VM exits, which epmd notices a moment later, hence the short retry.
 */
async function stopIdleEpmd(port: number): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const names = await epmdNames(port);
    if (names === undefined) return;
    if (names.length === 0 && (await stopEpmd(port))) return;
    if (names.length > 0 && attempt >= 10) return; // other nodes use it: it stays
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
