import { Module } from '@nestjs/common';
import { amqpTlsOf, ConfigModule, type ConfigOf } from '@orderly/config';
import { DatabaseModule, DatabaseReadinessProbe } from '@orderly/database';
import { BrokerReadinessProbe, MessagingModule } from '@orderly/messaging';
import { HealthModule, LoggingModule, MetricsModule, TelemetryModule } from '@orderly/observability';
import { PrismaClient as OrderDatabase } from '@orderly/order-db';
import { OutboxModule } from '@orderly/outbox';
import { SagaModule } from '@orderly/saga';
import { AdminTokenGuard } from './admin/admin-token.guard';
import { SagasController } from './admin/sagas.controller';
import { OrderServiceConfig } from './config/order-service.config';
import { OrdersController } from './orders/orders.controller';
import { OrdersService, SOURCE, updateOrderFromSaga } from './orders/orders.service';
import { PlaceOrderSaga } from './place-order/place-order.saga';
import { SagaRepliesHandler } from './place-order/saga-replies.handler';

type Settings = ConfigOf<typeof OrderServiceConfig>;

@Module({
  imports: [
    ConfigModule.forApp(OrderServiceConfig),
    LoggingModule.forService({
      serviceName: 'order-service',
      inject: [OrderServiceConfig.KEY],
      useFactory: (settings: Settings) => ({ level: settings.LOG_LEVEL }),
    }),
    DatabaseModule.forRoot({
      client: OrderDatabase,
      inject: [OrderServiceConfig.KEY],
      useFactory: (settings: Settings) => ({
        url: settings.DATABASE_URL,
        poolSize: settings.DATABASE_POOL_SIZE,
      }),
    }),
    MessagingModule.forRootAsync({
      inject: [OrderServiceConfig.KEY],
      useFactory: (settings: Settings) => ({
        url: settings.AMQP_URL,
        connectionName: 'order-service',
        tls: amqpTlsOf(settings),
      }),
    }),
    OutboxModule.forRootAsync({
      inject: [OrderDatabase, OrderServiceConfig.KEY],
      useFactory: (database: OrderDatabase, settings: Settings) => ({
        database,
        databaseUrl: settings.DATABASE_URL,
        relayName: 'order-service',
      }),
    }),
    SagaModule.forRootAsync({
      inject: [OrderDatabase, OrderServiceConfig.KEY],
      useFactory: (database: OrderDatabase, settings: Settings) => ({
        database,
        definitions: [PlaceOrderSaga],
        source: SOURCE,
        onTransition: updateOrderFromSaga,
        stepTimeoutMs: settings.SAGA_STEP_TIMEOUT_MS,
        stepMaxAttempts: settings.SAGA_STEP_MAX_ATTEMPTS,
        compensationMaxAttempts: settings.SAGA_COMPENSATION_MAX_ATTEMPTS,
        sweepIntervalMs: settings.SAGA_SWEEP_INTERVAL_MS,
      }),
    }),
    HealthModule.forRoot({ readiness: [DatabaseReadinessProbe, BrokerReadinessProbe] }),
    MetricsModule.forRoot({ serviceName: OrderServiceConfig.appName }),
    TelemetryModule,
  ],
  controllers: [OrdersController, SagasController, SagaRepliesHandler],
  providers: [OrdersService, AdminTokenGuard],
})
export class AppModule {}
