import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

/** A process (tree) whose CPU time a step is charged with. */
export interface MeteredProcess {
  name: string;
  /** The process; with `withChildren`, its children too (PostgreSQL's postmaster and its backends). */
  pid: number;
  withChildren?: boolean;
}

/** CPU seconds (user + system) per name, read from /proc; a reading is taken before and after a step. */
export type CpuReading = Record<string, number>;

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ): 100 on every Linux this runs on. */
const TicksPerSecond = 100;

/**
 * Measures where the machine's CPU goes while the saga runs, per process, from the kernel's own
 * accounting (Linux /proc; elsewhere every reading is empty). A process tree counts its live children
 * and, through the parent's cutime/cstime, the children that already ended (PostgreSQL backends).
 */
export class CpuMeter {
  constructor(private readonly processes: readonly MeteredProcess[]) {}

  static available(): boolean {
    return os.platform() === 'linux';
  }

  read(): CpuReading {
    const reading: CpuReading = {
      'bench driver': process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6,
    };
    if (!CpuMeter.available()) return reading;
    const stats = allStats();
    for (const { name, pid, withChildren } of this.processes) {
      const own = stats.get(pid);
      if (!own) continue;
      let seconds = (own.utime + own.stime + (withChildren ? own.cutime + own.cstime : 0)) / TicksPerSecond;
      if (withChildren) {
        for (const child of stats.values()) {
          if (child.ppid === pid) seconds += (child.utime + child.stime) / TicksPerSecond;
        }
      }
      reading[name] = (reading[name] ?? 0) + seconds;
    }
    return reading;
  }

  /** CPU milliseconds per unit of work (e.g. per saga) between two readings, by name, plus `total`. */
  static perUnit(before: CpuReading, after: CpuReading, units: number): Record<string, number> {
    const result: Record<string, number> = {};
    let total = 0;
    for (const [name, seconds] of Object.entries(after)) {
      const used = Math.max(0, seconds - (before[name] ?? 0));
      total += used;
      result[name] = units > 0 ? Math.round((used * 1000 * 10) / units) / 10 : 0;
    }
    result['total'] = units > 0 ? Math.round((total * 1000 * 10) / units) / 10 : 0;
    return result;
  }
}

/** The pid of the first process whose command line contains `fragment` (e.g. a data folder). */
export function findProcess(fragment: string): number | undefined {
  return firstProcess((pid) => {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    return cmdline.includes(fragment) && !cmdline.includes('/bin/sh');
  });
}

/** The Erlang VM of a RabbitMQ node: its name is in the environment (RABBITMQ_NODENAME), not the command line. */
export function findRabbitMqNode(nodeName: string): number | undefined {
  return firstProcess(
    (pid) =>
      readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'beam.smp' &&
      readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`RABBITMQ_NODENAME=${nodeName}`),
  );
}

function firstProcess(matches: (pid: string) => boolean): number | undefined {
  if (!CpuMeter.available()) return undefined;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (matches(entry)) return Number(entry);
    } catch {
      // The process ended while we looked, or is not ours to read.
    }
  }
  return undefined;
}

interface ProcStat {
  ppid: number;
  utime: number;
  stime: number;
  cutime: number;
  cstime: number;
}

function allStats(): Map<number, ProcStat> {
  const stats = new Map<number, ProcStat>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const text = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name (field 2) may hold spaces and parentheses: the fields after it start at the last ')'.
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(entry), {
        ppid: Number(fields[1]),
        utime: Number(fields[11]),
        stime: Number(fields[12]),
        cutime: Number(fields[13]),
        cstime: Number(fields[14]),
      });
    } catch {
      // The process ended while we looked.
    }
  }
  return stats;
}
