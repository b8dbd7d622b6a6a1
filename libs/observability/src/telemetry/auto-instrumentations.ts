import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { POLLED_PATHS } from '../polled-paths';
import type { TelemetryEnv } from './trace-export';

/**
 * The only modules we patch, by the names @opentelemetry/auto-instrumentations-node gives them in its
 * `OTEL_NODE_ENABLED_INSTRUMENTATIONS` / `OTEL_NODE_DISABLED_INSTRUMENTATIONS`: HTTP (incoming requests,
 * and outgoing calls inside a trace) and `pg` (Prisma's driver adapter). The broker is traced by our own
 * publish/process spans, which carry the messaging attributes and the outbox's stored context that an
 * amqplib instrumentation could not know. Each instrumentation costs on every call it wraps, so none is
 * added "just in case".
 */
export const InstrumentationNames = ['http', 'pg'] as const;
export type InstrumentationName = (typeof InstrumentationNames)[number];

/**
 * The instrumentations the environment asks for: all of them, or those `OTEL_NODE_ENABLED_INSTRUMENTATIONS`
 * lists, minus those `OTEL_NODE_DISABLED_INSTRUMENTATIONS` lists (comma-separated). `pg` is the one to drop
 * when tracing costs too much: it records a span per SQL statement, most of a saga's spans (see
 * bench/README.md, the `tracing` suite). A name this service does not know is a misconfiguration.
 */
export function instrumentationsFromEnv(env: TelemetryEnv): InstrumentationName[] {
  const listed = (variable: string): InstrumentationName[] =>
    (env[variable] ?? '')
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name.length > 0)
      .map((name) => {
        if (!(InstrumentationNames as readonly string[]).includes(name)) {
          throw new Error(
            `${variable}: unknown instrumentation "${name}" (this service has: ${InstrumentationNames.join(', ')})`,
          );
        }
        return name as InstrumentationName;
      });
  const enabled = listed('OTEL_NODE_ENABLED_INSTRUMENTATIONS');
  const disabled = listed('OTEL_NODE_DISABLED_INSTRUMENTATIONS');
  return (enabled.length > 0 ? enabled : [...InstrumentationNames]).filter(
    (name) => !disabled.includes(name),
  );
}

export function autoInstrumentations(names: readonly InstrumentationName[]) {
  return names.map((name) => {
    if (name === 'http') {
      return new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => POLLED_PATHS.test(request.url ?? ''),
        // Background calls (none today) would each start a trace of their own.
        requireParentforOutgoingSpans: true,
      });
    }
    // Queries outside a trace are the relay's and the saga engine's polling: a trace per poll is noise.
    // A pool checkout would add a span to every query; a wait for a connection shows as the gap before
    // the query's span.
    return new PgInstrumentation({ requireParentSpan: true, ignoreConnectSpans: true });
  });
}
