export { LoggingModule, logMixins } from './logging/logging.module';
export type { LoggingOptions } from './logging/logging.module';
export { HealthModule } from './health/health.module';
export type { HealthOptions } from './health/health.module';
export type { ReadinessProbe } from './health/readiness-probe';
