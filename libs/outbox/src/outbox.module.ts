import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Module,
  type OnApplicationBootstrap,
  Optional,
} from '@nestjs/common';
import { AmqpClient } from '@orderly/messaging';
import { outboxMetricsRecorder } from '@orderly/observability';
import { InboxInterceptor } from './inbox/inbox.interceptor';
import { Inbox } from './inbox/inbox';
import { OUTBOX_MODULE_OPTIONS, ConfigurableOutboxModule } from './outbox.module-definition';
import { OUTBOX_HOOKS, type OutboxHooks } from './outbox-hooks';
import { OUTBOX_METRICS, type OutboxMetrics } from './outbox-metrics';
import { OUTBOX_OPTIONS, type OutboxModuleOptions, type ResolvedOutboxOptions, resolveOutboxOptions } from './outbox-options';
import { OutboxRelay } from './outbox-relay';
import { outboxTelemetryHooks } from './outbox-telemetry';
import { OutboxWriter } from './outbox-writer';

/**
 * Starts the relay once the application is up and stops it gracefully before anything it needs is
 * closed: `beforeApplicationShutdown` runs before messaging closes its client and connection and before
 * the database module disconnects (both in `onApplicationShutdown`).
 */
@Injectable()
class OutboxLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    @Inject(OUTBOX_OPTIONS) private readonly options: ResolvedOutboxOptions,
    @Optional() @Inject(OutboxRelay) private readonly relay?: OutboxRelay,
  ) {}

  onApplicationBootstrap(): void {
    if (this.options.runRelay) this.relay?.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.relay?.stop();
  }
}

/**
 * The transactional outbox and the idempotent inbox of one service:
 *
 * ```ts
 * OutboxModule.forRootAsync({
 *   inject: [InventoryDatabase, InventoryServiceConfig.KEY],
 *   useFactory: (database: InventoryDatabase, settings: Settings) => ({
 *     database,
 *     databaseUrl: settings.DATABASE_URL,
 *     relayName: 'inventory-service',
 *   }),
 * }),
 * ```
 *
 * Provides `OutboxWriter` (add messages inside a transaction), `Inbox` and the `@Idempotent()`
 * interceptor, and runs an `OutboxRelay` that publishes through messaging's `AmqpClient`
 * (MessagingModule must be imported by the application). It traces (`outboxTelemetryHooks()`) and
 * records Prometheus metrics (`outboxMetricsRecorder()` of @orderly/observability) by default; a global
 * module providing `OUTBOX_HOOKS` or `OUTBOX_METRICS` replaces them.
 */
@Module({
  providers: [
    {
      provide: OUTBOX_OPTIONS,
      inject: [OUTBOX_MODULE_OPTIONS],
      useFactory: (options: OutboxModuleOptions) => resolveOutboxOptions(options),
    },
    {
      provide: OutboxRelay,
      inject: [OUTBOX_OPTIONS, AmqpClient, { token: OUTBOX_HOOKS, optional: true }, { token: OUTBOX_METRICS, optional: true }],
      // Without providers of OUTBOX_HOOKS / OUTBOX_METRICS, the relay traces and counts through @orderly/observability.
      useFactory: (
        options: ResolvedOutboxOptions,
        client: AmqpClient,
        hooks: OutboxHooks = outboxTelemetryHooks(),
        metrics: OutboxMetrics = outboxMetricsRecorder(),
      ) => new OutboxRelay({ databaseUrl: options.databaseUrl, name: options.relayName, settings: options, client, hooks, metrics }),
    },
    OutboxWriter,
    Inbox,
    InboxInterceptor,
    OutboxLifecycle,
  ],
  exports: [OutboxWriter, Inbox, InboxInterceptor],
})
export class OutboxModule extends ConfigurableOutboxModule {}
