export { defineConfig } from './define-config';
export type { AppConfig, ConfigOf } from './define-config';
export { ConfigModule } from './config.module';
export { ConfigurationError } from './configuration.error';
export type { InvalidSetting } from './configuration.error';
export { amqpTlsOf, serviceSettings } from './service-settings';
export { loadConfigOrExit, EXIT_CONFIG } from './load-config';
