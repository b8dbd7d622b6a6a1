import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The one Prometheus registry of the process: `/metrics` serves exactly what is registered here, so
 * messaging, outbox and saga metrics show up beside the HTTP and process metrics. (prom-client's global
 * default registry is not used: what a dependency registers there stays off our endpoint.)
 */
export const metricsRegistry = new Registry();

export interface MetricDefinition<L extends string = string> {
  /** Prometheus style: snake_case, base units (`_seconds`, `_bytes`), counters end in `_total`. */
  name: string;
  help: string;
  /** Every label must have few values (a queue, a message type), never an id. */
  labelNames: readonly L[];
}

export interface HistogramDefinition<L extends string = string> extends MetricDefinition<L> {
  /** Upper bounds in the metric's base unit. */
  buckets: readonly number[];
}

/**
 * A counter on the shared registry. Defining the same name again returns the same counter (modules
 * are instantiated once per app, but a process may build several apps, e.g. in tests).
 */
export function defineCounter<L extends string>(definition: MetricDefinition<L>): Counter<L> {
  if (!definition.name.endsWith('_total')) {
    throw new Error(`counter ${definition.name} must end in _total (Prometheus naming)`);
  }
  return existing(definition, Counter) ?? new Counter({ ...common(definition) });
}

/** A gauge on the shared registry (same name, same gauge). */
export function defineGauge<L extends string>(definition: MetricDefinition<L>): Gauge<L> {
  return existing(definition, Gauge) ?? new Gauge({ ...common(definition) });
}

/** A histogram on the shared registry (same name, same histogram). */
export function defineHistogram<L extends string>(definition: HistogramDefinition<L>): Histogram<L> {
  return (
    existing(definition, Histogram) ??
    new Histogram({ ...common(definition), buckets: [...definition.buckets] })
  );
}

let defaultMetricsStarted = false;

/** Node.js process metrics (CPU, memory, event-loop lag, GC, handles), under their standard names. */
export function startDefaultMetrics(): void {
  if (defaultMetricsStarted) return;
  defaultMetricsStarted = true;
  collectDefaultMetrics({ register: metricsRegistry });
}

function common<L extends string>(definition: MetricDefinition<L>) {
  return {
    name: definition.name,
    help: definition.help,
    labelNames: [...definition.labelNames],
    registers: [metricsRegistry],
  };
}

function existing<M>(
  definition: MetricDefinition,
  kind: abstract new (...args: never[]) => M,
): M | undefined {
  const metric = metricsRegistry.getSingleMetric(definition.name);
  if (!metric) return undefined;
  if (!(metric instanceof kind)) {
    throw new Error(`metric ${definition.name} is already registered as another type`);
  }
  const labels = (metric as unknown as { labelNames?: string[] }).labelNames ?? [];
  if ([...labels].sort().join() !== [...definition.labelNames].sort().join()) {
    throw new Error(`metric ${definition.name} is already registered with labels [${labels.join(', ')}]`);
  }
  return metric;
}
