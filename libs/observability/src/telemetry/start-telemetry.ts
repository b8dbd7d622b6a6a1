import { context, propagation, trace } from '@opentelemetry/api';
import {
  CompositePropagator,
  setGlobalErrorHandler,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from '@opentelemetry/core';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { AsyncLocalContextManager } from './async-local-context-manager';
import { instrumentationsFromEnv } from './auto-instrumentations';
import type { RunningSdk } from './node-sdk';
import { type TelemetryEnv, traceExportFromEnv } from './trace-export';

export interface TelemetryOptions {
  /** `service.name` of every span; the same name as the `service` of log lines and metrics. */
  serviceName: string;
  serviceVersion?: string;
  /**
   * The process environment, passed by the app (libraries do not read `process.env`). Its `OTEL_*`
   * variables decide whether spans are exported; the SDK reads the rest of them (sampler, OTLP endpoint
   * and headers, batch sizes, resource attributes) from the process environment itself.
   */
  env: TelemetryEnv;
  /** Send spans here instead of to the exporters chosen from `env` (tests, benchmarks). */
  exporter?: SpanExporter;
  /**
   * Patch http and pg (default true), as `OTEL_NODE_ENABLED_INSTRUMENTATIONS` and
   * `OTEL_NODE_DISABLED_INSTRUMENTATIONS` allow. Benchmarks and tests turn it off to measure or see only
   * our own spans.
   */
  autoInstrumentation?: boolean;
  /** Where the startup line and export errors go; default: JSON lines on stdout / stderr, like pino's. */
  log?: (level: 'info' | 'warn', message: string) => void;
}

export interface Telemetry {
  readonly serviceName: string;
  /** True when spans are recorded and exported; false: trace context is still propagated. */
  readonly tracing: boolean;
  /** Exports the spans ended so far. */
  forceFlush(): Promise<void>;
  /** Exports the remaining spans and stops; called by `TelemetryModule` when the app shuts down. */
  shutdown(): Promise<void>;
}

/** At most one line per minute about failing exports (a trace backend that is down fails every batch). */
const EXPORT_ERROR_LOG_INTERVAL_MS = 60_000;

let active: Telemetry | undefined;

/**
 * Starts OpenTelemetry for this process. It must run before the modules it instruments (`http`, `pg`)
 * are loaded, so a service imports its `telemetry.ts` as the first line of `main.ts`.
 *
 * Without an exporter configured, the SDK is not even loaded: nothing is patched and no span is
 * recorded. The W3C propagator and an async context still run, so a `traceparent` received is passed on
 * to the messages this service publishes, and log lines carry that trace id.
 */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  if (active) {
    if (active.serviceName !== options.serviceName) {
      throw new Error(
        `telemetry already started for ${active.serviceName}, cannot start it for ${options.serviceName}`,
      );
    }
    return active;
  }
  const log = options.log ?? jsonLines(options.serviceName);
  // Read (and a wrong name refused) even when tracing is off, so that a typo does not wait for the day
  // tracing is turned on.
  const instrumentations = options.autoInstrumentation === false ? [] : instrumentationsFromEnv(options.env);
  if (/^true$/i.test(options.env['OTEL_SDK_DISABLED'] ?? '')) {
    log('info', 'tracing disabled (OTEL_SDK_DISABLED)');
    return remember({
      serviceName: options.serviceName,
      tracing: false,
      forceFlush: async () => undefined,
      shutdown: async () => undefined,
    });
  }

  const chosen = options.exporter
    ? { exporters: [options.exporter], description: 'to the given exporter', warnings: [] }
    : traceExportFromEnv(options.env);
  for (const warning of chosen.warnings) log('warn', warning);
  setGlobalErrorHandler(
    rateLimited((error, suppressed) =>
      log(
        'warn',
        `telemetry: ${describe(error)}${suppressed ? ` (and ${suppressed} more errors in the last minute)` : ''}`,
      ),
    ),
  );

  let sdk: RunningSdk | undefined;
  if (chosen.exporters.length > 0) {
    // Required here, not imported: the SDK, exporters and instrumentations cost about half a second of
    // startup, which a service that does not trace should not pay.
    const { startNodeSdk } = require('./node-sdk') as typeof import('./node-sdk');
    sdk = startNodeSdk({
      serviceName: options.serviceName,
      serviceVersion: options.serviceVersion,
      exporters: chosen.exporters,
      instrumentations,
    });
    log('info', `tracing on: ${chosen.description}; instrumented: ${instrumentations.join(', ') || 'none'}`);
  } else {
    context.setGlobalContextManager(new AsyncLocalContextManager());
    propagation.setGlobalPropagator(
      new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
    );
    log('info', `tracing ${chosen.description}`);
  }

  const telemetry: Telemetry = {
    serviceName: options.serviceName,
    tracing: sdk !== undefined,
    forceFlush: async () => sdk?.forceFlush(),
    async shutdown() {
      if (active !== telemetry) return;
      active = undefined;
      try {
        await sdk?.shutdown();
      } finally {
        // Unregister the globals, so that a later start (tests) registers its own.
        trace.disable();
        context.disable();
        propagation.disable();
      }
    },
  };
  return remember(telemetry);
}

/** The telemetry of this process, if started. */
export function activeTelemetry(): Telemetry | undefined {
  return active;
}

function remember(telemetry: Telemetry): Telemetry {
  active = telemetry;
  return telemetry;
}

/**
 * Telemetry starts before the app's logger exists: its few lines are written in the same JSON shape
 * (level, time, service, msg) so that log collectors treat them alike.
 */
function jsonLines(service: string) {
  return (level: 'info' | 'warn', msg: string) => {
    const line = JSON.stringify({ level, time: new Date().toISOString(), service, pid: process.pid, msg });
    (level === 'warn' ? process.stderr : process.stdout).write(`${line}\n`);
  };
}

function rateLimited(report: (error: unknown, suppressed: number) => void) {
  let last = 0;
  let suppressed = 0;
  return (error: unknown) => {
    const now = Date.now();
    if (now - last < EXPORT_ERROR_LOG_INTERVAL_MS) {
      suppressed += 1;
      return;
    }
    report(error, suppressed);
    last = now;
    suppressed = 0;
  };
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : JSON.stringify(error);
}
