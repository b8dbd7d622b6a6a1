import { Module } from '@nestjs/common';
import { ConfigModule, type ConfigOf } from '@orderly/config';
import { DatabaseModule, DatabaseReadinessProbe } from '@orderly/database';
import { BrokerReadinessProbe, MessagingModule } from '@orderly/messaging';
import { HealthModule, LoggingModule, MetricsModule, TelemetryModule } from '@orderly/observability';
import { PrismaClient as PaymentDatabase } from '@orderly/payment-db';
import { PaymentServiceConfig } from './config/payment-service.config';

type Settings = ConfigOf<typeof PaymentServiceConfig>;

@Module({
  imports: [
    ConfigModule.forApp(PaymentServiceConfig),
    LoggingModule.forService({
      serviceName: 'payment-service',
      inject: [PaymentServiceConfig.KEY],
      useFactory: (settings: Settings) => ({ level: settings.LOG_LEVEL }),
    }),
    DatabaseModule.forRoot({
      client: PaymentDatabase,
      inject: [PaymentServiceConfig.KEY],
      useFactory: (settings: Settings) => ({ url: settings.DATABASE_URL }),
    }),
    MessagingModule.forRootAsync({
      inject: [PaymentServiceConfig.KEY],
      useFactory: (settings: Settings) => ({ url: settings.AMQP_URL, connectionName: 'payment-service' }),
    }),
    HealthModule.forRoot({ readiness: [DatabaseReadinessProbe, BrokerReadinessProbe] }),
    MetricsModule.forRoot({ serviceName: PaymentServiceConfig.appName }),
    TelemetryModule,
  ],
})
export class AppModule {}
