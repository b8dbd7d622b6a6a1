import { Module } from '@nestjs/common';
import { amqpTlsOf, ConfigModule, type ConfigOf } from '@orderly/config';
import { DatabaseModule, DatabaseReadinessProbe } from '@orderly/database';
import { BrokerReadinessProbe, MessagingModule } from '@orderly/messaging';
import { HealthModule, LoggingModule, MetricsModule, TelemetryModule } from '@orderly/observability';
import { OutboxModule } from '@orderly/outbox';
import { PrismaClient as PaymentDatabase } from '@orderly/payment-db';
import { PaymentServiceConfig } from './config/payment-service.config';
import { PaymentGateway } from './gateway/payment-gateway';
import { PaymentCommandsHandler } from './payments/payment-commands.handler';
import { PaymentLedger } from './payments/payment-ledger';

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
      useFactory: (settings: Settings) => ({
        url: settings.DATABASE_URL,
        poolSize: settings.DATABASE_POOL_SIZE,
      }),
    }),
    MessagingModule.forRootAsync({
      inject: [PaymentServiceConfig.KEY],
      useFactory: (settings: Settings) => ({
        url: settings.AMQP_URL,
        connectionName: 'payment-service',
        tls: amqpTlsOf(settings),
      }),
    }),
    OutboxModule.forRootAsync({
      inject: [PaymentDatabase, PaymentServiceConfig.KEY],
      useFactory: (database: PaymentDatabase, settings: Settings) => ({
        database,
        databaseUrl: settings.DATABASE_URL,
        relayName: 'payment-service',
      }),
    }),
    HealthModule.forRoot({ readiness: [DatabaseReadinessProbe, BrokerReadinessProbe] }),
    MetricsModule.forRoot({ serviceName: PaymentServiceConfig.appName }),
    TelemetryModule,
  ],
  controllers: [PaymentCommandsHandler],
  providers: [
    {
      provide: PaymentGateway,
      inject: [PaymentServiceConfig.KEY],
      useFactory: (settings: Settings) =>
        new PaymentGateway({
          latencyMs: settings.PAYMENT_GATEWAY_LATENCY_MS,
          failureRate: settings.PAYMENT_GATEWAY_FAILURE_RATE,
        }),
    },
    PaymentLedger,
  ],
})
export class AppModule {}
