import { createTransport, type Transporter } from 'nodemailer';
import type { NotificationChannel, OutgoingNotification } from './notification-channel';

export interface SmtpChannelOptions {
  /** smtp:// or smtps:// URL of the mail server, with credentials if it needs them. */
  url: string;
  from: string;
  /** Mail domain for customer ids that are not addresses. */
  recipientDomain: string;
}

/** E-mail through a mail server (nodemailer). The server's acceptance (250 after DATA) is the send. */
export class SmtpChannel implements NotificationChannel {
  readonly name = 'smtp' as const;
  private readonly transport: Transporter;

  constructor(private readonly options: SmtpChannelOptions) {
    this.transport = createTransport(options.url);
  }

  async send(notification: OutgoingNotification): Promise<void> {
    await this.transport.sendMail({
      from: this.options.from,
      to: recipientOf(notification.customerId, this.options.recipientDomain),
      subject: notification.subject,
      text: notification.text,
      messageId: `<${notification.notificationId}@orderly>`,
    });
  }
}

/** A customer id that is an address is used as it is; any other becomes `<id>@<domain>`. */
export function recipientOf(customerId: string, domain: string): string {
  return customerId.includes('@') ? customerId : `${customerId}@${domain}`;
}
