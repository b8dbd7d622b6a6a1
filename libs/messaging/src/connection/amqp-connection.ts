import { Logger } from '@nestjs/common';
import { connect, type AmqpConnectionManager } from 'amqp-connection-manager';
import type { Channel, ChannelModel, ConfirmChannel } from 'amqplib';
import { MessagingDefaults } from '../messaging-defaults';
import { describeConnectError, readTlsFiles, type AmqpTlsFiles } from './amqp-tls';

export interface AmqpConnectionOptions {
  /** amqp:// URL including the service's own user and the vhost. */
  url: string;
  /** Shown in the broker's management UI, so operators can tell connections apart. */
  connectionName: string;
  /** Seconds between reconnect attempts. */
  reconnectSeconds?: number;
  heartbeatSeconds?: number;
  /** PEM files for an amqps:// URL (CA to verify the broker; certificate and key for mutual TLS). */
  tls?: AmqpTlsFiles;
}

/**
 * One connection per service process, kept alive by amqp-connection-manager: it reconnects with a
 * delay and emits `connect`/`disconnect`. That is all we take from it. Channels are opened by their
 * owners (publisher, consumers, topology) on the current connection and re-opened by them after every
 * `connect`, because its ChannelWrapper is unsafe for us (see README, "Why no ChannelWrapper").
 */
export class AmqpConnection {
  readonly manager: AmqpConnectionManager;
  private readonly logger = new Logger(AmqpConnection.name);
  private lastError?: string;
  private closed = false;

  constructor(readonly options: AmqpConnectionOptions) {
    // Read once, at construction: a missing or unreadable file stops startup instead of every reconnect.
    const tls = readTlsFiles(options.url, options.tls);
    this.manager = connect([options.url], {
      reconnectTimeInSeconds: options.reconnectSeconds ?? MessagingDefaults.reconnectSeconds,
      heartbeatIntervalInSeconds: options.heartbeatSeconds ?? MessagingDefaults.heartbeatSeconds,
      connectionOptions: {
        clientProperties: { connection_name: options.connectionName },
        // One connection both publishes and acks: with Nagle's algorithm on (amqplib's default), small
        // frames wait for delayed TCP acknowledgements, which measured as ~15 ms of added p50 latency.
        noDelay: true,
        ...tls,
      },
    });
    this.manager.on('connect', () => {
      this.lastError = undefined;
      this.logger.log(`connected to broker ${redact(options.url)} as "${options.connectionName}"`);
    });
    this.manager.on('disconnect', ({ err }) => {
      this.lastError = err ? describeConnectError(err) : 'disconnected';
      if (!this.closed) this.logger.warn(`broker connection lost: ${this.lastError}`);
    });
    this.manager.on('connectFailed', ({ err }) => {
      this.lastError = err ? describeConnectError(err) : 'connect failed';
      this.logger.warn(`cannot connect to broker ${redact(options.url)}: ${this.lastError}`);
    });
    this.manager.on('blocked', ({ reason }) => this.logger.warn(`broker blocked publishing: ${reason}`));
    this.manager.on('unblocked', () => this.logger.log('broker unblocked publishing'));
  }

  /** The live amqplib connection, or undefined while (re)connecting. */
  get current(): ChannelModel | undefined {
    return this.closed ? undefined : this.manager.connection;
  }

  isConnected(): boolean {
    return this.current !== undefined;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Why the connection is down, for readiness output and logs. */
  get disconnectReason(): string | undefined {
    if (this.closed) return 'connection closed';
    return this.isConnected() ? undefined : (this.lastError ?? 'not connected yet');
  }

  /** Resolves with the connection once there is one, or undefined after `timeoutMs` (or on close). */
  waitForConnection(timeoutMs: number): Promise<ChannelModel | undefined> {
    const current = this.current;
    if (current || this.closed) return Promise.resolve(current);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.manager.removeListener('connect', done);
        resolve(this.current);
      };
      const timer = setTimeout(done, timeoutMs);
      this.manager.on('connect', done);
    });
  }

  /**
   * Opens a channel on the current connection. Every channel gets an `error` listener here: amqplib
   * re-throws a channel error nobody listens to, which closes the whole connection, i.e. one 404 on a
   * publish would take every consumer and publisher of the process down with it.
   */
  openChannel(purpose: string, kind: 'confirm'): Promise<ConfirmChannel>;
  openChannel(purpose: string, kind?: 'plain'): Promise<Channel>;
  async openChannel(purpose: string, kind: 'confirm' | 'plain' = 'plain'): Promise<Channel> {
    const connection = this.current;
    if (!connection) throw new Error(`broker not connected: ${this.disconnectReason}`);
    const channel = kind === 'confirm' ? await connection.createConfirmChannel() : await connection.createChannel();
    channel.on('error', (error: Error) => this.logger.warn(`${purpose} channel closed by the broker: ${error.message}`));
    return channel;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
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
