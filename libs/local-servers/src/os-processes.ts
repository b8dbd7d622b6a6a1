import { readdirSync, readFileSync } from 'node:fs';

/** Whether a process with this pid exists (EPERM means it does, but belongs to another user). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Sends a signal (to a process group when `pid` is negative); a process already gone is not an error. */
export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** Resolves true once none of `pids` exists, false if some still do after `timeoutMs`. */
export async function waitForExit(pids: readonly number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(isAlive)) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

export interface OsProcess {
  pid: number;
  command: string;
}

/**
 * Processes whose environment has `name=value` (Linux /proc; [] elsewhere, and processes of other users
 * are skipped unless we are root). Every process of a RabbitMQ node inherits the RABBITMQ_BASE it was
 * started with — beam, erl_child_setup, inet_gethost, an epmd it launched — so this finds all of them,
 * whatever process group or session they moved to.
 */
export function processesWithEnvironment(name: string, value: string): OsProcess[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return [];
  }
  const wanted = `${name}=${value}`;
  const found: OsProcess[] = [];
  for (const entry of entries) {
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      const environment = readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0');
      if (!environment.includes(wanted)) continue;
      const command = readFileSync(`/proc/${entry}/cmdline`, 'latin1').split('\0').join(' ').trim();
      found.push({ pid, command });
    } catch {
      // Gone in the meantime, a zombie, or not ours to read.
    }
  }
  return found;
}

/**
 * Whether process `pid` runs with `name=value` in its environment: true/false on Linux when readable,
 * undefined when we cannot tell (no /proc, or another user's process and we are not root).
 */
export function hasEnvironment(pid: number, name: string, value: string): boolean | undefined {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`${name}=${value}`);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' && isProcDirPresent() ? false : undefined;
  }
}

function isProcDirPresent(): boolean {
  try {
    readdirSync('/proc/self');
    return true;
  } catch {
    return false;
  }
}

/** The pid on the first line of a pid file (RabbitMQ's pid file, PostgreSQL's postmaster.pid). */
export function readPidFile(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').split('\n')[0]?.trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
