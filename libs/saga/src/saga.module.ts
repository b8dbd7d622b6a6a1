import { ConfigurableModuleBuilder, Module } from '@nestjs/common';
import { resolveSagaOptions, SAGA_OPTIONS, type SagaModuleOptions } from './saga-options';
import { SagaRuntime } from './saga-runtime';
import { SagaSweeper } from './saga-sweeper';

const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN } = new ConfigurableModuleBuilder<SagaModuleOptions>({
  moduleName: 'Saga',
})
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();

/**
 * The saga orchestrator of one service (after DatabaseModule, MessagingModule and OutboxModule):
 *
 * ```ts
 * SagaModule.forRootAsync({
 *   inject: [OrderDatabase, OrderServiceConfig.KEY],
 *   useFactory: (database: OrderDatabase, settings: Settings) => ({
 *     database, definitions: [PlaceOrderSaga], source: '/orderly/order-service',
 *     stepTimeoutMs: settings.SAGA_STEP_TIMEOUT_MS,
 *   }),
 * }),
 * ```
 *
 * Provides `SagaRuntime` (start, replies, cancel, retry, queries) and runs the deadline sweeper.
 * Replies reach it through the service's own `@Handles` + `@Idempotent` handlers.
 */
@Module({
  providers: [
    {
      provide: SAGA_OPTIONS,
      inject: [MODULE_OPTIONS_TOKEN],
      useFactory: (o: SagaModuleOptions) => resolveSagaOptions(o),
    },
    SagaRuntime,
    SagaSweeper,
  ],
  exports: [SagaRuntime],
})
export class SagaModule extends ConfigurableModuleClass {}
