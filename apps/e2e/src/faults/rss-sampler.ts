import { readFileSync } from 'node:fs';

export interface RssSample {
  at: number;
  /** Resident set size per service, in MiB (a service being restarted has none). */
  mib: Record<string, number>;
}

/**
 * Samples the resident memory (VmRSS of /proc/<pid>/status) of each service process at a fixed
 * interval for the whole run. The process ids are asked for at every sample: a restarted service has
 * a new one.
 */
export class RssSampler {
  readonly samples: RssSample[] = [];
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly services: readonly string[],
    private readonly pidOf: (service: string) => number | undefined,
    private readonly intervalMs = 500,
  ) {}

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.sample();
  }

  /** The last sample taken at or before `at` (the state just before a fault). */
  before(at: number): RssSample | undefined {
    return this.samples.filter((s) => s.at <= at).at(-1);
  }

  /** The largest RSS of each service between `from` and `to`. */
  peak(from: number, to: number): Record<string, number> {
    const peak: Record<string, number> = {};
    for (const sample of this.samples) {
      if (sample.at < from || sample.at > to) continue;
      for (const [service, mib] of Object.entries(sample.mib))
        peak[service] = Math.max(peak[service] ?? 0, mib);
    }
    return peak;
  }

  sample(): RssSample {
    const mib: Record<string, number> = {};
    for (const service of this.services) {
      const value = rssMib(this.pidOf(service));
      if (value !== undefined) mib[service] = value;
    }
    const sample = { at: Date.now(), mib };
    this.samples.push(sample);
    return sample;
  }
}

function rssMib(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
    return kib === undefined ? undefined : Math.round((Number(kib) / 1024) * 10) / 10;
  } catch {
    // Gone (killed, restarting): no sample for it this time.
    return undefined;
  }
}
