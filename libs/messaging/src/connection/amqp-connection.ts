import { Logger } from '@nestjs/common';
import { connect, type AmqpConnectionManager } from 'amqp-connection-manager';

export interface AmqpConnectionOptions {
  /** amqp:// URL including the service's own user and the vhost. */
  url: string;
  /** Shown in the broker's management UI, so operators can tell connections apart. */
  connectionName: string;
  /** Seconds between reconnect attempts. */
  reconnectSeconds?: number;
  heartbeatSeconds?: number;
}

/**
 * One connection per service process, kept alive by amqp-connection-manager (it reconnects and
 * re-runs channel setup after every reconnect). Channels for publishing and consuming are created
 * from it by the transport.
 */
export class AmqpConnection {
  readonly manager: AmqpConnectionManager;
  private readonly logger = new Logger(AmqpConnection.name);
  private lastError?: string;

  constructor(readonly options: AmqpConnectionOptions) {
    this.manager = connect([options.url], {
      reconnectTimeInSeconds: options.reconnectSeconds ?? 2,
      heartbeatIntervalInSeconds: options.heartbeatSeconds ?? 10,
      connectionOptions: { clientProperties: { connection_name: options.connectionName } },
    });
    this.manager.on('connect', () => {
      this.lastError = undefined;
      this.logger.log(`connected to broker ${redact(options.url)}`);
    });
    this.manager.on('disconnect', ({ err }) => {
      this.lastError = err?.message ?? 'disconnected';
      this.logger.warn(`broker connection lost: ${this.lastError}`);
    });
    this.manager.on('connectFailed', ({ err }) => {
      this.lastError = err?.message ?? 'connect failed';
      this.logger.warn(`cannot connect to broker ${redact(options.url)}: ${this.lastError}`);
    });
    this.manager.on('blocked', ({ reason }) => this.logger.warn(`broker blocked publishing: ${reason}`));
    this.manager.on('unblocked', () => this.logger.log('broker unblocked publishing'));
  }

  isConnected(): boolean {
    return this.manager.isConnected();
  }

  /** Why the connection is down, for readiness output and logs. */
  get disconnectReason(): string | undefined {
    return this.isConnected() ? undefined : (this.lastError ?? 'not connected yet');
  }

  async close(): Promise<void> {
    await this.manager.close();
  }
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<invalid url>';
  }
}
