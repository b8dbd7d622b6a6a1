import {
  type DynamicModule,
  Inject,
  Injectable,
  Module,
  type OnApplicationShutdown,
  type Type,
} from '@nestjs/common';
import type { ReadinessProbe } from '@orderly/observability';
import { AmqpConnection, type AmqpConnectionOptions } from '../connection/amqp-connection';

export interface MessagingModuleOptions {
  inject?: Array<string | symbol | Type<unknown>>;
  useFactory: (...deps: never[]) => AmqpConnectionOptions;
}

@Injectable()
export class BrokerReadinessProbe implements ReadinessProbe {
  readonly name = 'broker';
  constructor(@Inject(AmqpConnection) private readonly connection: AmqpConnection) {}

  async check(): Promise<void> {
    const reason = this.connection.disconnectReason;
    if (reason) throw new Error(reason);
  }
}

@Injectable()
class ConnectionLifecycle implements OnApplicationShutdown {
  constructor(@Inject(AmqpConnection) private readonly connection: AmqpConnection) {}

  async onApplicationShutdown(): Promise<void> {
    await this.connection.close();
  }
}

@Module({})
export class MessagingModule {
  static forRootAsync(options: MessagingModuleOptions): DynamicModule {
    return {
      module: MessagingModule,
      global: true,
      providers: [
        {
          provide: AmqpConnection,
          inject: options.inject ?? [],
          useFactory: (...deps: never[]) => new AmqpConnection(options.useFactory(...deps)),
        },
        BrokerReadinessProbe,
        ConnectionLifecycle,
      ],
      exports: [AmqpConnection, BrokerReadinessProbe],
    };
  }
}
