import { Module } from '@nestjs/common';
import { ConfigModule, type ConfigOf } from '@orderly/config';
import { DatabaseModule, DatabaseReadinessProbe } from '@orderly/database';
import { BrokerReadinessProbe, MessagingModule } from '@orderly/messaging';
import { HealthModule, LoggingModule, MetricsModule, TelemetryModule } from '@orderly/observability';
import { PrismaClient as NotificationDatabase } from '@orderly/notification-db';
import { NotificationServiceConfig } from './config/notification-service.config';

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
      useFactory: (settings: Settings) => ({ url: settings.DATABASE_URL }),
    }),
    MessagingModule.forRootAsync({
      inject: [NotificationServiceConfig.KEY],
      useFactory: (settings: Settings) => ({ url: settings.AMQP_URL, connectionName: 'notification-service' }),
    }),
    HealthModule.forRoot({ readiness: [DatabaseReadinessProbe, BrokerReadinessProbe] }),
    MetricsModule.forRoot({ serviceName: NotificationServiceConfig.appName }),
    TelemetryModule,
  ],
})
export class AppModule {}
