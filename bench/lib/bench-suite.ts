import type { BenchBroker } from './bench-broker';

/** Who a figure is about: our transport, or the baseline/peer it is compared with. */
/**
 * `amqplib-cloudevents` is raw amqplib sending what Orderly's transport puts on the wire (messaging
 * suite): the ceiling for the same messages, which tells the transport's own cost from the envelope's.
 */
export type Subject = 'orderly' | 'amqplib' | 'amqplib-cloudevents' | 'nest-rmq' | 'golevelup' | 'post-201';

/** One measured number, as written to `bench/results/<suite>.json`. */
export interface Figure {
  metric: string;
  subject: Subject;
  value: number;
  unit: string;
  /** value / the baseline's value for the same metric (so < 1 is slower for rates, faster for latencies). */
  ratio?: number;
  baseline?: Subject;
}

export interface SuiteContext {
  broker: BenchBroker;
  log(line: string): void;
}

export interface SuiteResult {
  figures: Figure[];
  /** Suite-specific facts kept beside the figures in the results file (settings, calibration). */
  details?: Record<string, unknown>;
}

/** A file `bench/suites/<name>.bench.ts` exports one of these as `suite`. */
export interface BenchSuite {
  name: string;
  description: string;
  run(context: SuiteContext): Promise<SuiteResult>;
}

/** Adds `ratio` and `baseline` to every figure of a subject other than the baseline. */
export function withRatios(figures: Figure[], baseline: Subject): Figure[] {
  return figures.map((figure) => {
    if (figure.subject === baseline) return figure;
    const base = figures.find((f) => f.subject === baseline && f.metric === figure.metric);
    if (!base || base.value === 0) return figure;
    return { ...figure, ratio: round(figure.value / base.value, 3), baseline };
  });
}

export function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
