import type { DataOf, NotificationSent } from '@orderly/contracts';
import type { RenderedNotification } from '../notifications/notification-templates';

export type ChannelName = DataOf<typeof NotificationSent>['channel'];

/** One notification, ready to go out. */
export interface OutgoingNotification extends RenderedNotification {
  /** Stable per (order, outcome): also the e-mail's Message-ID, so a mail server can drop a re-send. */
  notificationId: string;
  orderId: string;
  customerId: string;
}

/**
 * Where notifications go. `send` resolves once the channel accepted the message and throws when it
 * did not (the handler's transaction then rolls back and the event is retried).
 */
export interface NotificationChannel {
  readonly name: ChannelName;
  send(notification: OutgoingNotification): Promise<void>;
}

/** Injection token of the configured channel. */
export const NOTIFICATION_CHANNEL = Symbol('NOTIFICATION_CHANNEL');
