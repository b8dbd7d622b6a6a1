import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Module,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { ReadinessProbe } from '@orderly/observability';
import { AmqpClient } from '../client/amqp-client';
import { AmqpConnection } from '../connection/amqp-connection';
import {
  MESSAGING_OPTIONS,
  type MessagingModuleOptions,
  type ResolvedMessagingOptions,
  resolveMessagingOptions,
} from '../messaging-options';
import { AmqpServer } from '../server/amqp-server';
import { ConfigurableMessagingModule, MESSAGING_MODULE_OPTIONS } from './messaging.module-definition';

/** Ready when the broker connection is up and (once the server listens) every work queue is consumed. */
@Injectable()
export class BrokerReadinessProbe implements ReadinessProbe {
  readonly name = 'broker';

  constructor(
    @Inject(AmqpConnection) private readonly connection: AmqpConnection,
    @Inject(AmqpServer) private readonly server: AmqpServer,
  ) {}

  async check(): Promise<void> {
    const reason = this.connection.disconnectReason ?? this.server.notReadyReason;
    if (reason) throw new Error(reason);
  }
}

/**
 * Shutdown in the one safe order, whatever order Nest calls providers in: first the server drains
 * (running handlers may still publish and park dead letters), then the client, then the connection.
 * The server drains in `beforeApplicationShutdown`, i.e. before Nest closes the connected
 * microservices (whose `close()` is then a no-op) and before `onApplicationShutdown`.
 */
@Injectable()
class MessagingLifecycle implements BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(
    @Inject(AmqpServer) private readonly server: AmqpServer,
    @Inject(AmqpClient) private readonly client: AmqpClient,
    @Inject(AmqpConnection) private readonly connection: AmqpConnection,
  ) {}

  async beforeApplicationShutdown(): Promise<void> {
    await this.server.close();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.server.close();
    await this.client.close();
    await this.connection.close();
  }
}

@Module({
  providers: [
    {
      provide: MESSAGING_OPTIONS,
      inject: [MESSAGING_MODULE_OPTIONS],
      useFactory: (options: MessagingModuleOptions) => resolveMessagingOptions(options),
    },
    {
      provide: AmqpConnection,
      inject: [MESSAGING_OPTIONS],
      useFactory: (options: ResolvedMessagingOptions) =>
        new AmqpConnection({
          url: options.url,
          connectionName: options.connectionName,
          reconnectSeconds: options.reconnectSeconds,
          heartbeatSeconds: options.heartbeatSeconds,
          tls: options.tls,
        }),
    },
    AmqpServer,
    AmqpClient,
    BrokerReadinessProbe,
    MessagingLifecycle,
  ],
  exports: [AmqpServer, AmqpClient, BrokerReadinessProbe],
})
export class MessagingModule extends ConfigurableMessagingModule {}
