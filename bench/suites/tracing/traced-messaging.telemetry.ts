import { startTelemetry } from '@orderly/observability';

// First import of traced-messaging.main.ts, as a service's telemetry.ts: the OTEL_* variables the suite
// gives decide whether spans are recorded and exported. Only our own messaging spans are under test,
// so http (the control requests of the suite) and pg are not instrumented.
startTelemetry({ serviceName: 'bench-service', env: process.env, autoInstrumentation: false, log: () => undefined });
