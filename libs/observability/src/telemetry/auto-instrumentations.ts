import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { POLLED_PATHS } from '../polled-paths';

/**
 * The only modules we patch: HTTP (incoming requests, and outgoing calls inside a trace) and `pg`
 * (Prisma's driver adapter). The broker is traced by our own publish/process spans, which carry the
 * messaging attributes and the outbox's stored context that an amqplib instrumentation could not know.
 * Each instrumentation costs on every call it wraps, so none is added "just in case".
 */
export function autoInstrumentations() {
  return [
    new HttpInstrumentation({
      ignoreIncomingRequestHook: (request) => POLLED_PATHS.test(request.url ?? ''),
      // Background calls (none today) would each start a trace of their own.
      requireParentforOutgoingSpans: true,
    }),
    // Queries outside a trace are the relay's and the saga engine's polling: a trace per poll is noise.
    // A pool checkout would add a span to every query; a wait for a connection shows as the gap before
    // the query's span.
    new PgInstrumentation({ requireParentSpan: true, ignoreConnectSpans: true }),
  ];
}
