import { Logger } from '@nestjs/common';
import type { NotificationChannel, OutgoingNotification } from './notification-channel';

/** The default channel: one JSON log line per notification, for development and the demo. */
export class LogChannel implements NotificationChannel {
  readonly name = 'log' as const;
  private readonly logger = new Logger('notifications');

  async send(notification: OutgoingNotification): Promise<void> {
    this.logger.log({ notification }, `notify ${notification.customerId}: ${notification.subject}`);
  }
}
