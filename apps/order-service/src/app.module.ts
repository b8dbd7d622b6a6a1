import { Module } from '@nestjs/common';
import { ConfigModule, type ConfigOf } from '@orderly/config';
import { DatabaseModule, DatabaseReadinessProbe } from '@orderly/database';
import { BrokerReadinessProbe, MessagingModule } from '@orderly/messaging';
import { HealthModule, LoggingModule, MetricsModule, TelemetryModule } from '@orderly/observability';
import { PrismaClient as OrderDatabase } from '@orderly/order-db';
import { OrderServiceConfig } from './config/order-service.config';

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
      useFactory: (settings: Settings) => ({ url: settings.DATABASE_URL }),
    }),
    MessagingModule.forRootAsync({
      inject: [OrderServiceConfig.KEY],
      useFactory: (settings: Settings) => ({ url: settings.AMQP_URL, connectionName: 'order-service' }),
    }),
    HealthModule.forRoot({ readiness: [DatabaseReadinessProbe, BrokerReadinessProbe] }),
    MetricsModule.forRoot({ serviceName: OrderServiceConfig.appName }),
    TelemetryModule,
  ],
})
export class AppModule {}
