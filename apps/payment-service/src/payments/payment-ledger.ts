import { Injectable } from '@nestjs/common';
import type { DataOf, AuthorisePayment, Money } from '@orderly/contracts';
import type { Payment, Prisma } from '@orderly/payment-db';
import { DeclineReasons } from '../gateway/gateway-rules';
import { PaymentGateway } from '../gateway/payment-gateway';
import { PaymentCommandRefusedError } from './payment-command-refused.error';

type Tx = Prisma.TransactionClient;

/** What an AuthorisePayment comes to; the handler turns it into the reply (or, for `silent`, none). */
export type AuthoriseOutcome =
  | { kind: 'authorised'; authorisationId: string; amount: Money }
  | { kind: 'declined'; reason: string }
  | { kind: 'silent' };

/** The column type of amounts (PostgreSQL integer). */
const MAX_AMOUNT_MINOR = 2_147_483_647;

/**
 * One payment row per order, moved only inside the caller's transaction (the inbox's, so the reply
 * joins it through the outbox), after asking the gateway.
 *
 * Every command first takes a transaction-scoped advisory lock on the order id, so the commands about
 * one order run one after another whatever order they arrive in, including before the row exists (an
 * AuthorisePayment and a VoidPayment racing for the first row). The row then records the outcome:
 * a repeated or late command finds it and gets the same answer.
 */
@Injectable()
export class PaymentLedger {
  constructor(private readonly gateway: PaymentGateway) {}

  async authorise(tx: Tx, request: DataOf<typeof AuthorisePayment>): Promise<AuthoriseOutcome> {
    const { orderId, customerId, amount } = request;
    const existing = await this.lockPayment(tx, orderId);
    if (existing) return outcomeOf(existing);
    if (amount.amountMinor > MAX_AMOUNT_MINOR) {
      throw new PaymentCommandRefusedError('PAYMENT.AMOUNT_OUT_OF_RANGE', `order ${orderId}: amount ${amount.amountMinor} cannot be recorded`);
    }

    const answer = await this.gateway.authorise(request);
    const order = { orderId, customerId, amountMinor: amount.amountMinor, currency: amount.currency };
    switch (answer.kind) {
      case 'silent':
        // A gateway that never answers: nothing is recorded, so a re-sent command meets the same silence.
        return answer;
      case 'decline':
        await tx.payment.create({ data: { ...order, status: 'DECLINED', declineReason: answer.reason } });
        return { kind: 'declined', reason: answer.reason };
      case 'authorised':
        await tx.payment.create({ data: { ...order, status: 'AUTHORISED', authorisationId: answer.authorisationId } });
        return { kind: 'authorised', authorisationId: answer.authorisationId, amount };
    }
  }

  /** Releases the hold. Without a payment yet, leaves a tombstone so that a later AuthorisePayment is declined. */
  async void(tx: Tx, orderId: string): Promise<void> {
    const payment = await this.lockPayment(tx, orderId);
    if (!payment) {
      await tx.payment.create({ data: { orderId, status: 'CANCELLED' } });
      return;
    }
    switch (payment.status) {
      case 'AUTHORISED':
        await this.gateway.void(orderId);
        await tx.payment.update({ where: { id: payment.id }, data: { status: 'VOIDED' } });
        return;
      case 'CAPTURED':
        throw new PaymentCommandRefusedError(
          'PAYMENT.VOID_AFTER_CAPTURE',
          `order ${orderId}: the payment was captured (${payment.captureId}); a void cannot undo it, a refund would`,
        );
      default:
        // DECLINED, VOIDED, CANCELLED: nothing is held.
        return;
    }
  }

  /** Takes the authorised amount, at most once: a repeated capture answers with the first capture. */
  async capture(tx: Tx, orderId: string): Promise<{ captureId: string; amount: Money }> {
    const payment = await this.lockPayment(tx, orderId);
    if (payment?.status === 'CAPTURED' && payment.captureId) return { captureId: payment.captureId, amount: amountOf(payment) };
    if (payment?.status !== 'AUTHORISED') {
      // The orchestrator captures only after PaymentAuthorised: a bug or a hand-made message.
      throw new PaymentCommandRefusedError(
        'PAYMENT.NOTHING_TO_CAPTURE',
        `order ${orderId}: nothing is authorised (${payment ? payment.status.toLowerCase() : 'no payment'})`,
      );
    }
    const { captureId } = await this.gateway.capture(orderId);
    await tx.payment.update({ where: { id: payment.id }, data: { status: 'CAPTURED', captureId } });
    return { captureId, amount: amountOf(payment) };
  }

  private async lockPayment(tx: Tx, orderId: string): Promise<Payment | null> {
    // hashtextextended: a 64-bit key from the order id; a collision only serialises two orders.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${orderId}, 0))`;
    return tx.payment.findUnique({ where: { orderId } });
  }
}

/** The answer to an AuthorisePayment for an order that already has a payment: the same one. */
function outcomeOf(payment: Payment): AuthoriseOutcome {
  switch (payment.status) {
    case 'AUTHORISED':
    case 'CAPTURED':
      return { kind: 'authorised', authorisationId: payment.authorisationId ?? '', amount: amountOf(payment) };
    case 'DECLINED':
      return { kind: 'declined', reason: payment.declineReason ?? '' };
    case 'VOIDED':
    case 'CANCELLED':
      // The order was called off: nothing is (or will be) held for it.
      return { kind: 'declined', reason: DeclineReasons.cancelled };
  }
}

function amountOf(payment: Payment): Money {
  return { amountMinor: payment.amountMinor ?? 0, currency: payment.currency ?? '' };
}
