import { Module } from '@nestjs/common';
import { amqpTlsOf, ConfigModule, type ConfigOf } from '@orderly/config';
import { DatabaseModule, DatabaseReadinessProbe } from '@orderly/database';
import { BrokerReadinessProbe, MessagingModule } from '@orderly/messaging';
import { HealthModule, LoggingModule, MetricsModule, TelemetryModule } from '@orderly/observability';
import { PrismaClient as NotificationDatabase } from '@orderly/notification-db';
import { OutboxModule } from '@orderly/outbox';
import { LogChannel } from './channels/log-channel';
import { NOTIFICATION_CHANNEL, type NotificationChannel } from './channels/notification-channel';
import { SmtpChannel } from './channels/smtp-channel';
import { NotificationServiceConfig } from './config/notification-service.config';
import { Notifier } from './notifications/notifier';
import { OrderOutcomesHandler } from './notifications/order-outcomes.handler';

type Settings = ConfigOf<typeof NotificationServiceConfig>;

@Module({
  imports: [
    ConfigModule.forApp(NotificationServiceConfig),
    LoggingModule.forService({
      serviceName: 'notification-service',
      inject: [NotificationServiceConfig.KEY],
      useFactory: (settings: Settings) => ({ level: settings.LOG_LEVEL }),
    }),
    DatabaseModule.forRoot({
      client: NotificationDatabase,
      inject: [NotificationServiceConfig.KEY],
      useFactory: (settings: Settings) => ({
        url: settings.DATABASE_URL,
        poolSize: settings.DATABASE_POOL_SIZE,
      }),
    }),
    MessagingModule.forRootAsync({
      inject: [NotificationServiceConfig.KEY],
      useFactory: (settings: Settings) => ({
        url: settings.AMQP_URL,
        connectionName: 'notification-service',
        tls: amqpTlsOf(settings),
      }),
    }),
    OutboxModule.forRootAsync({
      inject: [NotificationDatabase, NotificationServiceConfig.KEY],
      useFactory: (database: NotificationDatabase, settings: Settings) => ({
        database,
        databaseUrl: settings.DATABASE_URL,
        relayName: 'notification-service',
      }),
    }),
    HealthModule.forRoot({ readiness: [DatabaseReadinessProbe, BrokerReadinessProbe] }),
    MetricsModule.forRoot({ serviceName: NotificationServiceConfig.appName }),
    TelemetryModule,
  ],
  controllers: [OrderOutcomesHandler],
  providers: [
    {
      provide: NOTIFICATION_CHANNEL,
      inject: [NotificationServiceConfig.KEY],
      useFactory: (settings: Settings): NotificationChannel =>
        settings.SMTP_URL
          ? new SmtpChannel({
              url: settings.SMTP_URL,
              from: settings.NOTIFICATION_FROM,
              recipientDomain: settings.NOTIFICATION_RECIPIENT_DOMAIN,
            })
          : new LogChannel(),
    },
    Notifier,
  ],
})
export class AppModule {}
