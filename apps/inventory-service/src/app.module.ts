import { Module } from '@nestjs/common';
import { amqpTlsOf, ConfigModule, type ConfigOf } from '@orderly/config';
import { DatabaseModule, DatabaseReadinessProbe } from '@orderly/database';
import { BrokerReadinessProbe, MessagingModule } from '@orderly/messaging';
import { HealthModule, LoggingModule, MetricsModule, TelemetryModule } from '@orderly/observability';
import { PrismaClient as InventoryDatabase } from '@orderly/inventory-db';
import { OutboxModule } from '@orderly/outbox';
import { InventoryServiceConfig } from './config/inventory-service.config';
import { ProductsController } from './products/products.controller';
import { StockCommandsHandler } from './stock/stock-commands.handler';
import { StockLedger } from './stock/stock-ledger';

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
      useFactory: (settings: Settings) => ({
        url: settings.DATABASE_URL,
        poolSize: settings.DATABASE_POOL_SIZE,
      }),
    }),
    MessagingModule.forRootAsync({
      inject: [InventoryServiceConfig.KEY],
      useFactory: (settings: Settings) => ({
        url: settings.AMQP_URL,
        connectionName: 'inventory-service',
        tls: amqpTlsOf(settings),
      }),
    }),
    OutboxModule.forRootAsync({
      inject: [InventoryDatabase, InventoryServiceConfig.KEY],
      useFactory: (database: InventoryDatabase, settings: Settings) => ({
        database,
        databaseUrl: settings.DATABASE_URL,
        relayName: 'inventory-service',
      }),
    }),
    HealthModule.forRoot({ readiness: [DatabaseReadinessProbe, BrokerReadinessProbe] }),
    MetricsModule.forRoot({ serviceName: InventoryServiceConfig.appName }),
    TelemetryModule,
  ],
  controllers: [StockCommandsHandler, ProductsController],
  providers: [StockLedger],
})
export class AppModule {}
