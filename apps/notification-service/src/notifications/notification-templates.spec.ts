import { notificationIdOf } from './notification-id';
import { formatMoney, renderNotification } from './notification-templates';
import { recipientOf } from '../channels/smtp-channel';

const orderId = '3f1c2a9e-0000-4000-8000-000000000001';

describe('notification templates', () => {
  it('confirms with the amount charged', () => {
    expect(renderNotification({ orderId, customerId: 'c', template: 'order-confirmed', total: { amountMinor: 249_905, currency: 'EUR' } })).toEqual({
      subject: 'Your order 3f1c2a9e is confirmed',
      text: `Good news: order ${orderId} is confirmed and 2499.05 EUR was charged.`,
    });
  });

  it('says why an order was rejected or cancelled, and that nothing was charged', () => {
    expect(renderNotification({ orderId, customerId: 'c', template: 'order-rejected', reason: 'insufficient stock' }).text).toBe(
      `Order ${orderId} was not accepted: insufficient stock. Nothing was charged.`,
    );
    expect(renderNotification({ orderId, customerId: 'c', template: 'order-cancelled', reason: 'customer asked' }).subject).toBe(
      'Your order 3f1c2a9e is cancelled',
    );
  });

  it('formats minor units with two digits', () => {
    expect(formatMoney({ amountMinor: 5, currency: 'USD' })).toBe('0.05 USD');
  });
});

describe('notification ids', () => {
  it('are the same UUID for the same order and outcome, and differ otherwise', () => {
    const id = notificationIdOf(orderId, 'order-confirmed');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(notificationIdOf(orderId, 'order-confirmed')).toBe(id);
    expect(notificationIdOf(orderId, 'order-cancelled')).not.toBe(id);
  });
});

describe('SMTP recipients', () => {
  it('uses an address as it is and gives other customer ids the configured domain', () => {
    expect(recipientOf('ann@example.com', 'shop.test')).toBe('ann@example.com');
    expect(recipientOf('customer-1', 'shop.test')).toBe('customer-1@shop.test');
  });
});
