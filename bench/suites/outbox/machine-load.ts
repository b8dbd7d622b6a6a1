import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';

/**
 * How busy the machine was: the 1-minute load average and, where the kernel reports it, the share of
 * the last 60 s during which some runnable task waited for a CPU (/proc/pressure/cpu "some avg60").
 * On the shared 2-core machine other processes (test runs, other benchmarks) take the cores the
 * database, the broker and the relay need; figures taken under pressure say more about the machine.
 */
export interface MachineLoad {
  loadAverage1m: number;
  cpuPressureAvg60Pct?: number;
}

export function machineLoad(): MachineLoad {
  const load: MachineLoad = { loadAverage1m: Math.round(os.loadavg()[0] * 100) / 100 };
  const file = '/proc/pressure/cpu';
  if (existsSync(file)) {
    const some = /^some .*avg60=([\d.]+)/m.exec(readFileSync(file, 'utf8'));
    if (some) load.cpuPressureAvg60Pct = Number(some[1]);
  }
  return load;
}

export function describeLoad(load: MachineLoad): string {
  return `load ${load.loadAverage1m}${load.cpuPressureAvg60Pct === undefined ? '' : `, CPU pressure ${load.cpuPressureAvg60Pct}%`}`;
}
