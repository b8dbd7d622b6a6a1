import type { DataOf, NotificationSent } from '@orderly/contracts';

export type Template = DataOf<typeof NotificationSent>['template'];

/** What an order-outcome event tells the customer; the fields the templates use. */
export interface OrderOutcome {
  orderId: string;
  customerId: string;
  template: Template;
  /** order-confirmed: the total charged. */
  total?: { amountMinor: number; currency: string };
  /** order-rejected / order-cancelled: why. */
  reason?: string;
}

export interface RenderedNotification {
  subject: string;
  text: string;
}

/** The message for one outcome: plain text, the same through every channel. */
export function renderNotification(outcome: OrderOutcome): RenderedNotification {
  const ref = outcome.orderId.slice(0, 8);
  switch (outcome.template) {
    case 'order-confirmed':
      return {
        subject: `Your order ${ref} is confirmed`,
        text: `Good news: order ${outcome.orderId} is confirmed${outcome.total ? ` and ${formatMoney(outcome.total)} was charged` : ''}.`,
      };
    case 'order-rejected':
      return {
        subject: `We could not accept your order ${ref}`,
        text: `Order ${outcome.orderId} was not accepted: ${outcome.reason ?? 'no reason given'}. Nothing was charged.`,
      };
    case 'order-cancelled':
      return {
        subject: `Your order ${ref} is cancelled`,
        text: `Order ${outcome.orderId} is cancelled: ${outcome.reason ?? 'no reason given'}. Nothing was charged.`,
      };
  }
}

/** 249900 EUR -> "2499.00 EUR" (two minor digits; good enough for the currencies the demo uses). */
export function formatMoney({ amountMinor, currency }: { amountMinor: number; currency: string }): string {
  return `${Math.floor(amountMinor / 100)}.${String(amountMinor % 100).padStart(2, '0')} ${currency}`;
}
