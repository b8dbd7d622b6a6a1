// The library's public door, as a service's telemetry.ts imports it: loading all of it (Nest, pino,
// terminus, prom-client) before startTelemetry must not load `pg` or `http` handlers ahead of the patch.
import { startTelemetry } from '../index';

// Stands in for a service's `telemetry.ts`, imported first by its main file; like an app, it hands its
// environment to the library (the OTEL_* variables of the test decide the export).
// eslint-disable-next-line no-restricted-properties
startTelemetry({ serviceName: 'traced-app', env: process.env });
