import { NotificationServiceConfig } from './notification-service.config';

const valid = { DATABASE_URL: 'postgres://u:p@localhost/notification', AMQP_URL: 'amqp://u:p@localhost/orderly' };

describe('notification-service settings', () => {
  it('writes notifications to the log unless SMTP_URL is set', () => {
    expect(NotificationServiceConfig.parse(valid).SMTP_URL).toBeUndefined();
    expect(NotificationServiceConfig.parse({ ...valid, SMTP_URL: 'smtp://mail:587' }).SMTP_URL).toBe('smtp://mail:587');
  });

  it('refuses an SMTP_URL that is not smtp:// or smtps://, naming it', () => {
    expect(() => NotificationServiceConfig.parse({ ...valid, SMTP_URL: 'http://mail' })).toThrow(/SMTP_URL: must be an smtp:\/\/ or smtps:\/\/ URL/);
    expect(() => NotificationServiceConfig.parse({ ...valid, NOTIFICATION_RECIPIENT_DOMAIN: 'not a domain' })).toThrow(/NOTIFICATION_RECIPIENT_DOMAIN/);
  });
});
