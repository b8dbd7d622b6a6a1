import { startTelemetry } from '@orderly/observability';
import { PaymentServiceConfig } from './config/payment-service.config';

// Imported first by main.ts: OpenTelemetry patches `http` and `pg` only if it starts before Nest and
// Prisma load them. The OTEL_* variables decide export and sampling (libs/observability/README.md).
startTelemetry({ serviceName: PaymentServiceConfig.appName, env: process.env });
