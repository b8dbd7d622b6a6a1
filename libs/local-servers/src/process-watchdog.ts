import { spawn } from 'node:child_process';

/** What a watchdog stops when the process that started a server dies without stopping it. */
export interface WatchdogTarget {
  /** Which server, for `ps` readers. */
  label: string;
  /** The process to ask to stop: its pid, or a pid file read when the time comes. */
  pid?: number;
  pidFile?: string;
  /** The signal that makes the server shut down cleanly (RabbitMQ: SIGTERM; PostgreSQL: SIGINT). */
  stopSignal: NodeJS.Signals;
  /** How long a clean shutdown may take before SIGKILL. */
  graceMs: number;
  /** A process group to SIGKILL after `graceMs` (everything the server's launcher started). */
  processGroup?: number;
  /** An epmd to ask to exit afterwards (it refuses while other nodes still use it). */
  epmdPort?: number;
}

// Runs as a separate, tiny Node process, so it is plain JavaScript. It polls `process.ppid`: however
// the parent dies (even SIGKILL), its children are re-parented, and no pipe has to be held open
// between the two (a pipe would keep the parent's event loop alive).
const WatchdogScript = `
const fs = require('fs');
const net = require('net');
const spec = JSON.parse(process.argv[1]);
process.title = 'orderly-watchdog ' + spec.label;
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
const send = (pid, sig) => { try { process.kill(pid, sig); } catch (e) {} };
const readPid = () => {
  if (spec.pid) return spec.pid;
  try { return Number(fs.readFileSync(spec.pidFile, 'utf8').split('\\n')[0].trim()) || undefined; } catch (e) { return undefined; }
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => undefined);
process.on('SIGHUP', () => undefined);
async function shutdown() {
  const deadline = Date.now() + spec.graceMs;
  let pid = readPid();
  while (!pid && Date.now() < deadline) { await sleep(200); pid = readPid(); }
  if (pid) send(pid, spec.stopSignal);
  while (pid && alive(pid) && Date.now() < deadline) await sleep(200);
  if (spec.processGroup) send(-spec.processGroup, 'SIGKILL');
  if (pid && alive(pid)) send(pid, 'SIGKILL');
  if (spec.epmdPort) {
    await sleep(500);
    await new Promise((resolve) => {
      const socket = net.connect({ port: spec.epmdPort, host: '127.0.0.1' }, () => socket.end(Buffer.from([0, 1, 107])));
      socket.on('close', resolve);
      socket.on('error', resolve);
    });
  }
  process.exit(0);
}
const timer = setInterval(() => {
  if (spec.pid && !alive(spec.pid)) process.exit(0);
  if (process.ppid === spec.parentPid && alive(spec.parentPid)) return;
  clearInterval(timer);
  void shutdown();
}, 500);
`;

/**
 * Starts a watchdog: a small detached process that stops the target server if this process dies
 * without stopping it (jest killed, Ctrl-C, a crash), so that servers never outlive their test run.
 * `dismiss()` ends the watchdog once the server was stopped properly.
 */
export function startWatchdog(target: WatchdogTarget): { dismiss(): void } {
  // Preloads meant for the parent (e.g. a TypeScript loader) would only slow the watchdog down.
  const env = { ...process.env };
  delete env['NODE_OPTIONS'];
  const child = spawn(
    process.execPath,
    ['-e', WatchdogScript, JSON.stringify({ ...target, parentPid: process.pid })],
    { detached: true, stdio: 'ignore', env },
  );
  child.unref();
  return {
    dismiss() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    },
  };
}
