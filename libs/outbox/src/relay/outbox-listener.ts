import { Logger } from '@nestjs/common';
import { Client, type ClientConfig } from 'pg';
import { NOTIFY_CHANNEL } from '../outbox-sql';

/**
 * The relay's LISTEN connection: calls `onNotify` for every notification the writers' commits send,
 * and once after each (re)connect, for what was committed while it was not listening. A lost connection
 * is re-opened after `reconnectDelayMs`; meanwhile the relay's polling keeps messages moving.
 */
export class OutboxListener {
  private client?: Client;
  private reconnectTimer?: NodeJS.Timeout;
  private stopped = false;
  private connected = false;
  private readonly logger: Logger;

  constructor(
    private readonly config: ClientConfig,
    private readonly onNotify: () => void,
    private readonly reconnectDelayMs: number,
    name: string,
  ) {
    this.logger = new Logger(`OutboxListener(${name})`);
  }

  get listening(): boolean {
    return this.connected;
  }

  start(): void {
    this.stopped = false;
    void this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = undefined;
    this.connected = false;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new Client(this.config);
    this.client = client;
    let lost = false;
    const onLost = (error?: Error) => {
      if (lost) return;
      lost = true;
      this.connected = false;
      client.removeAllListeners('notification');
      void client.end().catch(() => undefined);
      if (this.stopped || this.client !== client) return;
      this.logger.warn(
        `LISTEN connection lost (${error?.message ?? 'closed'}): polling only, reconnecting in ${this.reconnectDelayMs} ms`,
      );
      this.reconnectTimer = setTimeout(() => void this.connect(), this.reconnectDelayMs);
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', () => this.onNotify());
    try {
      await client.connect();
      await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
      if (lost || this.stopped) return;
      this.connected = true;
      this.onNotify();
    } catch (error) {
      onLost(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
