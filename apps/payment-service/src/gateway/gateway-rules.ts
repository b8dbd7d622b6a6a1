import type { Money } from '@orderly/contracts';

/**
 * The payment-gateway simulator's rules: deterministic, so tests and the demo can pick an outcome by
 * choosing the customer id or the amount. Checked in this order:
 *
 * | input                                   | outcome                                             |
 * | --------------------------------------- | --------------------------------------------------- |
 * | customerId starts with `silent-`        | no answer at all (a gateway that hangs)             |
 * | customerId starts with `declined-`      | declined, reason `card declined`                    |
 * | amount.amountMinor > 500000             | declined, reason `amount over limit`                |
 * | anything else                           | authorised                                          |
 */
export const GatewayRules = {
  silentCustomerPrefix: 'silent-',
  declinedCustomerPrefix: 'declined-',
  /** 5,000.00 in the payment's currency. */
  amountLimitMinor: 500_000,
} as const;

export const DeclineReasons = {
  cardDeclined: 'card declined',
  overLimit: 'amount over limit',
  /** Not the gateway's: the order was voided (compensated) before it asked for an authorisation. */
  cancelled: 'cancelled',
} as const;

export type AuthorisationDecision = { kind: 'authorise' } | { kind: 'decline'; reason: string } | { kind: 'silent' };

export function decideAuthorisation(request: { customerId: string; amount: Money }): AuthorisationDecision {
  if (request.customerId.startsWith(GatewayRules.silentCustomerPrefix)) return { kind: 'silent' };
  if (request.customerId.startsWith(GatewayRules.declinedCustomerPrefix)) return { kind: 'decline', reason: DeclineReasons.cardDeclined };
  if (request.amount.amountMinor > GatewayRules.amountLimitMinor) return { kind: 'decline', reason: DeclineReasons.overLimit };
  return { kind: 'authorise' };
}
