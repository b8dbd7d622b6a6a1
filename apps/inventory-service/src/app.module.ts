import { Module } from '@nestjs/common';
import { ConfigModule, type ConfigOf } from '@orderly/config';
import { DatabaseModule, DatabaseReadinessProbe } from '@orderly/database';
import { BrokerReadinessProbe, MessagingModule } from '@orderly/messaging';
import { HealthModule, LoggingModule, MetricsModule, TelemetryModule } from '@orderly/observability';
import { PrismaClient as InventoryDatabase } from '@orderly/inventory-db';
import { InventoryServiceConfig } from './config/inventory-service.config';

type Settings = ConfigOf<typeof InventoryServiceConfig>;

@Module({
  imports: [
    ConfigModule.forApp(InventoryServiceConfig),
    LoggingModule.forService({
      serviceName: 'inventory-service',
      inject: [InventoryServiceConfig.KEY],
      useFactory: (settings: Settings) => ({ level: settings.LOG_LEVEL }),
    }),
    DatabaseModule.forRoot({
      client: InventoryDatabase,
      inject: [InventoryServiceConfig.KEY],
      useFactory: (settings: Settings) => ({ url: settings.DATABASE_URL }),
    }),
    MessagingModule.forRootAsync({
      inject: [InventoryServiceConfig.KEY],
      useFactory: (settings: Settings) => ({ url: settings.AMQP_URL, connectionName: 'inventory-service' }),
    }),
    HealthModule.forRoot({ readiness: [DatabaseReadinessProbe, BrokerReadinessProbe] }),
    MetricsModule.forRoot({ serviceName: InventoryServiceConfig.appName }),
    TelemetryModule,
  ],
})
export class AppModule {}
