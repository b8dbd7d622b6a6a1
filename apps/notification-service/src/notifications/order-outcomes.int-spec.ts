import { randomUUID } from 'node:crypto';
import net from 'node:net';
import {
  Exchanges,
  type MessageContract,
  type MessageOf,
  NotificationSent,
  OrderCancelled,
  OrderConfirmed,
  OrderRejected,
  Services,
} from '@orderly/contracts';
import { AmqpClient, AmqpServer, MESSAGING_HOOKS, MessagingModule } from '@orderly/messaging';
import { type ParticipantTestBed, startParticipantTestBed, waitUntil } from '@orderly/testing';
import { AppModule } from '../app.module';
import { notificationIdOf } from './notification-id';

// notification-service in this process (its real AppModule: inbox, outbox relay, AmqpServer, the
// channel its settings choose) against the run's real PostgreSQL, a broker vhost provisioned like
// production and, for the SMTP channel, a small SMTP server in this test. Order outcomes are published
// as order-service publishes them; NotificationSent is read from a queue the test binds.

const ORDER_SOURCE = `/orderly/${Services.order}`;
/** Not part of the topology: the test's own view of notification.events. */
const SENT_QUEUE = 'test.notifications-sent';

/** One service under test (participantTestBed), and the NotificationSent events it published. */
class NotificationBed {
  private readonly sent: Array<{ id: string; causationId?: string; data: MessageOf<typeof NotificationSent>['data'] }> = [];

  private constructor(private readonly bed: ParticipantTestBed) {}

  static async start(prefix: string, env: Record<string, string> = {}): Promise<NotificationBed> {
    // The channel follows these settings: a test that does not set them gets the log channel.
    for (const key of ['SMTP_URL', 'NOTIFICATION_FROM']) delete process.env[key];
    const bed = await startParticipantTestBed({
      name: prefix,
      service: Services.notification,
      database: 'notification',
      appModule: AppModule,
      messaging: { AmqpServer, AmqpClient, MessagingModule, MESSAGING_HOOKS },
      env,
      async prepare({ broker }) {
        const vhost = encodeURIComponent(broker.vhost);
        await broker.api('PUT', `/queues/${vhost}/${SENT_QUEUE}`, { durable: false, auto_delete: false });
        await broker.api('POST', `/bindings/${vhost}/e/${encodeURIComponent(Exchanges.notificationEvents)}/q/${SENT_QUEUE}`, {
          routing_key: NotificationSent.type,
        });
      },
    });
    return new NotificationBed(bed);
  }

  publish<C extends MessageContract>(contract: C, message: MessageOf<C>): Promise<MessageOf<C>> {
    return this.bed.publish(contract, message);
  }

  /** Waits until the service finished handling the message `count` times. */
  handled(messageId: string, count: number): Promise<void> {
    return this.bed.handled(messageId, count);
  }

  /** The NotificationSent events published about `orderId` so far (drains the test queue). */
  async sentAbout(orderId: string) {
    for (const { id, causationId, data } of await this.bed.take(SENT_QUEUE)) {
      this.sent.push({ id, causationId, data: data as MessageOf<typeof NotificationSent>['data'] });
    }
    return this.sent.filter((m) => m.data.orderId === orderId);
  }

  /** Waits for `count` NotificationSent events about the order: they leave through the outbox relay after the commit. */
  async waitForSent(orderId: string, count: number) {
    await waitUntil(async () => (await this.sentAbout(orderId)).length >= count, `${count} NotificationSent for ${orderId}`);
    return this.sentAbout(orderId);
  }

  async rows(orderId: string): Promise<Array<{ id: string; template: string; channel: string; customer_id: string }>> {
    const { rows } = await this.bed.sql.query('SELECT id, template, channel, customer_id FROM notification WHERE order_id = $1 ORDER BY template', [
      orderId,
    ]);
    return rows;
  }

  /** Outbox rows about the order: every NotificationSent ever written, published or not. */
  async outboxCount(orderId: string): Promise<number> {
    const { rows } = await this.bed.sql.query('SELECT count(*)::int AS n FROM outbox WHERE aggregate = $1', [orderId]);
    return rows[0].n;
  }

  stop(): Promise<void> {
    return this.bed.dispose();
  }
}

const meta = (orderId: string) => ({ source: ORDER_SOURCE, subject: orderId, correlationId: orderId });
const confirmed = (orderId: string, customerId = 'customer-1') =>
  OrderConfirmed.create({ orderId, customerId, total: { amountMinor: 5_490, currency: 'EUR' } }, meta(orderId));

describe('notification-service with the log channel', () => {
  let bed: NotificationBed;
  beforeAll(async () => (bed = await NotificationBed.start('notification_log')));
  afterAll(() => bed?.stop());

  it('tells the customer an order is confirmed, records it and publishes NotificationSent', async () => {
    const orderId = randomUUID();
    const event = await bed.publish(OrderConfirmed, confirmed(orderId, 'customer-7'));
    const [sent] = await bed.waitForSent(orderId, 1);
    const notificationId = notificationIdOf(orderId, 'order-confirmed');
    expect(sent).toMatchObject({
      causationId: event.id,
      data: { notificationId, orderId, customerId: 'customer-7', channel: 'log', template: 'order-confirmed' },
    });
    expect(await bed.rows(orderId)).toEqual([{ id: notificationId, template: 'order-confirmed', channel: 'log', customer_id: 'customer-7' }]);
  });

  it('notifies once per outcome: duplicate deliveries and re-published events change nothing', async () => {
    const orderId = randomUUID();
    const event = confirmed(orderId);
    // The same message twice (a redelivery), and the same outcome under new message ids (a republish).
    const copies = [event, event, confirmed(orderId), confirmed(orderId), confirmed(orderId)];
    await Promise.all(copies.map((copy) => bed.publish(OrderConfirmed, copy)));
    await bed.handled(event.id, 2);
    await Promise.all(copies.slice(2).map((copy) => bed.handled(copy.id, 1)));

    expect(await bed.rows(orderId)).toHaveLength(1);
    expect(await bed.outboxCount(orderId)).toBe(1);
    expect(await bed.waitForSent(orderId, 1)).toHaveLength(1);
  });

  it('tells each distinct outcome of an order once (rejected and cancelled are two notifications)', async () => {
    const orderId = randomUUID();
    const rejected = OrderRejected.create({ orderId, customerId: 'customer-1', reason: 'insufficient stock' }, meta(orderId));
    const cancelled = OrderCancelled.create({ orderId, customerId: 'customer-1', reason: 'customer cancelled' }, meta(orderId));
    await bed.publish(OrderRejected, rejected);
    await bed.publish(OrderCancelled, cancelled);
    await bed.publish(OrderCancelled, OrderCancelled.create({ orderId, customerId: 'customer-1', reason: 'again' }, meta(orderId)));
    const sent = await bed.waitForSent(orderId, 2);
    expect(sent.map((m) => m.data.template).sort()).toEqual(['order-cancelled', 'order-rejected']);
    expect((await bed.rows(orderId)).map((r) => r.template)).toEqual(['order-cancelled', 'order-rejected']);
  });
});

/** Just enough SMTP for nodemailer: records each message's envelope and data. */
class RecordingSmtpServer {
  readonly mails: Array<{ from: string; to: string[]; data: string }> = [];
  private readonly server = net.createServer((socket) => this.converse(socket));

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as net.AddressInfo).port;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private converse(socket: net.Socket): void {
    let buffer = '';
    let mail = { from: '', to: [] as string[], data: '' };
    let inData = false;
    socket.on('error', () => undefined);
    socket.write('220 test SMTP\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          mail.data = buffer.slice(0, end);
          buffer = buffer.slice(end + 5);
          inData = false;
          this.mails.push(mail);
          mail = { from: '', to: [], data: '' };
          socket.write('250 queued\r\n');
          continue;
        }
        const newline = buffer.indexOf('\r\n');
        if (newline < 0) return;
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 2);
        const verb = line.slice(0, 4).toUpperCase();
        switch (verb) {
          case 'MAIL':
            mail.from = line;
            break;
          case 'RCPT':
            mail.to.push(line.replace(/^RCPT TO:\s*<?([^>]*)>?.*$/i, '$1'));
            break;
          case 'DATA':
            inData = true;
            socket.write('354 go on\r\n');
            continue;
          case 'QUIT':
            socket.end('221 bye\r\n');
            return;
        }
        socket.write('250 ok\r\n');
      }
    });
  }
}

describe('notification-service with SMTP configured', () => {
  let bed: NotificationBed;
  const smtp = new RecordingSmtpServer();
  beforeAll(async () => {
    const port = await smtp.listen();
    bed = await NotificationBed.start('notification_smtp', {
      SMTP_URL: `smtp://127.0.0.1:${port}`,
      NOTIFICATION_FROM: 'Orderly <orders@shop.test>',
    });
  });
  afterAll(async () => {
    await bed?.stop();
    await smtp.close();
  });

  it('e-mails the customer once per outcome, however often the event arrives', async () => {
    const orderId = randomUUID();
    const event = confirmed(orderId, 'customer-9');
    const republished = confirmed(orderId, 'customer-9');
    await Promise.all([bed.publish(OrderConfirmed, event), bed.publish(OrderConfirmed, event), bed.publish(OrderConfirmed, republished)]);
    const [sent] = await bed.waitForSent(orderId, 1);
    await Promise.all([bed.handled(event.id, 2), bed.handled(republished.id, 1)]);
    expect(sent.data).toMatchObject({ channel: 'smtp', template: 'order-confirmed' });

    const mails = smtp.mails.filter((m) => m.data.includes(orderId));
    expect(mails).toHaveLength(1);
    expect(mails[0].to).toEqual(['customer-9@customers.orderly.local']);
    expect(mails[0].data).toMatch(/^From: Orderly <orders@shop\.test>$/m);
    expect(mails[0].data).toContain(`Message-ID: <${sent.data.notificationId}@orderly>`);
    expect(mails[0].data).toMatch(/^Subject: Your order [0-9a-f]{8} is confirmed$/m);
    expect(await bed.rows(orderId)).toMatchObject([{ template: 'order-confirmed', channel: 'smtp' }]);
  });
});
