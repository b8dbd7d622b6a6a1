import { randomUUID } from 'node:crypto';
import {
  AuthorisePayment,
  CapturePayment,
  deadLetterQueueOf,
  type Message,
  type MessageContract,
  type MessageOf,
  PaymentAuthorised,
  PaymentCaptured,
  PaymentDeclined,
  PaymentVoided,
  Queues,
  Services,
  VoidPayment,
} from '@orderly/contracts';
import {
  AmqpClient,
  AmqpServer,
  DeadLetterHeaders,
  type FailureDisposition,
  MESSAGING_HOOKS,
  MessagingModule,
} from '@orderly/messaging';
import { type ParticipantTestBed, startParticipantTestBed } from '@orderly/testing';
import { AppModule } from '../app.module';
import { PaymentGateway } from '../gateway/payment-gateway';

// payment-service in this process (its real AppModule: inbox, outbox relay, AmqpServer, the gateway
// simulator) against the run's real PostgreSQL and a broker vhost provisioned like production. Commands
// are published as order-service publishes them; replies are read from order-service's reply queue.

const ORDER_SOURCE = `/orderly/${Services.order}`;

/**
 * How many of the next gateway calls fail. The simulator is the real one; only its random draw is
 * scripted (failure rate 1, draw 0 = fail, 1 = succeed), so a test decides when the gateway fails.
 */
let gatewayFailures = 0;
const scriptedGateway = new PaymentGateway({ latencyMs: 0, failureRate: 1 }, () => (gatewayFailures > 0 ? (gatewayFailures--, 0) : 1));

let bed: ParticipantTestBed<FailureDisposition>;

beforeAll(async () => {
  bed = await startParticipantTestBed<FailureDisposition>({
    name: 'payment_commands',
    service: Services.payment,
    database: 'payment',
    appModule: AppModule,
    messaging: { AmqpServer, AmqpClient, MessagingModule, MESSAGING_HOOKS },
    overrides: [{ provide: PaymentGateway, useValue: scriptedGateway }],
  });
});

afterAll(() => bed?.dispose());

const repliesTo = (command: Message, count?: number) => bed.repliesTo(command, count);

const send = <C extends MessageContract>(contract: C, message: MessageOf<C>) => bed.publish(contract, message);

const meta = (orderId: string) => ({ source: ORDER_SOURCE, subject: orderId, correlationId: orderId });
const eur = (amountMinor: number) => ({ amountMinor, currency: 'EUR' });
const authorise = (orderId: string, customerId = 'customer-1', amountMinor = 2_500) =>
  send(AuthorisePayment, AuthorisePayment.create({ orderId, customerId, amount: eur(amountMinor) }, meta(orderId)));
const voidPayment = (orderId: string) => send(VoidPayment, VoidPayment.create({ orderId, reason: 'test' }, meta(orderId)));
const capture = (orderId: string) => send(CapturePayment, CapturePayment.create({ orderId }, meta(orderId)));

async function paymentOf(orderId: string): Promise<Record<string, unknown> | undefined> {
  const { rows } = await bed.sql.query(
    `SELECT status::text, customer_id, amount_minor, currency, authorisation_id, capture_id, decline_reason
       FROM payment WHERE order_id = $1`,
    [orderId],
  );
  return rows[0];
}

describe('payment-service commands', () => {
  it('authorises a payment, records it and replies PaymentAuthorised, correlated with the command', async () => {
    const orderId = randomUUID();
    const command = await authorise(orderId, 'customer-1', 2_500);
    const [reply] = await repliesTo(command);
    expect(reply).toMatchObject({
      type: PaymentAuthorised.type,
      subject: orderId,
      correlationId: orderId,
      causationId: command.id,
      data: { orderId, authorisationId: expect.any(String), amount: eur(2_500) },
    });
    expect(await paymentOf(orderId)).toEqual({
      status: 'AUTHORISED',
      customer_id: 'customer-1',
      amount_minor: 2_500,
      currency: 'EUR',
      authorisation_id: reply.data['authorisationId'],
      capture_id: null,
      decline_reason: null,
    });
    // Re-sent after a deadline: the same authorisation, not a second hold.
    expect(await repliesTo(await authorise(orderId, 'customer-1', 2_500))).toMatchObject([{ type: PaymentAuthorised.type, data: reply.data }]);
  });

  it.each([
    ['a declined- customer', 'declined-customer', 1_000, 'card declined'],
    ['an amount over the limit', 'customer-2', 500_001, 'amount over limit'],
  ])('declines %s, records why, and declines a re-sent command the same way', async (_case, customerId, amountMinor, reason) => {
    const orderId = randomUUID();
    const command = await authorise(orderId, customerId, amountMinor);
    expect(await repliesTo(command)).toMatchObject([{ type: PaymentDeclined.type, causationId: command.id, data: { orderId, reason } }]);
    expect(await paymentOf(orderId)).toMatchObject({ status: 'DECLINED', decline_reason: reason, authorisation_id: null });
    expect(await repliesTo(await authorise(orderId, customerId, amountMinor))).toMatchObject([{ type: PaymentDeclined.type, data: { reason } }]);
  });

  it('stays silent for a silent- customer: handled and acknowledged, no reply, nothing authorised', async () => {
    const orderId = randomUUID();
    const command = await authorise(orderId, 'silent-customer');
    await bed.handled(command.id, 1);
    const inbox = await bed.sql.query('SELECT count(*)::int AS n FROM inbox WHERE message_id = $1', [command.id]);
    const outbox = await bed.sql.query('SELECT count(*)::int AS n FROM outbox WHERE causation_id = $1', [command.id]);
    expect({ inbox: inbox.rows[0].n, outbox: outbox.rows[0].n }).toEqual({ inbox: 1, outbox: 0 });
    expect(await paymentOf(orderId)).toBeUndefined();

    // The orchestrator gives up and compensates: the void leaves a tombstone; the gateway stays silent
    // for a re-send, but the tombstone answers first.
    expect(await repliesTo(await voidPayment(orderId))).toMatchObject([{ type: PaymentVoided.type }]);
    expect(await repliesTo(await authorise(orderId, 'silent-customer'))).toMatchObject([
      { type: PaymentDeclined.type, data: { reason: 'cancelled' } },
    ]);
  });

  it('records a tombstone when the void comes first: a later AuthorisePayment is declined as cancelled', async () => {
    const orderId = randomUUID();
    const voided = await voidPayment(orderId);
    expect(await repliesTo(voided)).toMatchObject([
      { type: PaymentVoided.type, subject: orderId, correlationId: orderId, causationId: voided.id, data: { orderId } },
    ]);
    expect(await paymentOf(orderId)).toMatchObject({ status: 'CANCELLED', customer_id: null, amount_minor: null });

    const late = await authorise(orderId);
    expect(await repliesTo(late)).toMatchObject([{ type: PaymentDeclined.type, data: { orderId, reason: 'cancelled' } }]);
    expect(await paymentOf(orderId)).toMatchObject({ status: 'CANCELLED', authorisation_id: null });
  });

  it('voids an authorisation once; repeated voids reply without effect, and a re-sent authorise is declined', async () => {
    const orderId = randomUUID();
    await repliesTo(await authorise(orderId));
    expect(await repliesTo(await voidPayment(orderId))).toMatchObject([{ type: PaymentVoided.type }]);
    expect(await repliesTo(await voidPayment(orderId))).toMatchObject([{ type: PaymentVoided.type }]);
    expect(await paymentOf(orderId)).toMatchObject({ status: 'VOIDED', capture_id: null });
    expect(await repliesTo(await authorise(orderId))).toMatchObject([{ type: PaymentDeclined.type, data: { reason: 'cancelled' } }]);
  });

  it('captures at most once: repeated and duplicated captures all answer with the first capture', async () => {
    const orderId = randomUUID();
    await repliesTo(await authorise(orderId, 'customer-3', 9_900));
    const first = await capture(orderId);
    const [captured] = await repliesTo(first);
    expect(captured).toMatchObject({ type: PaymentCaptured.type, data: { orderId, captureId: expect.any(String), amount: eur(9_900) } });

    const duplicated = CapturePayment.create({ orderId }, meta(orderId));
    await Promise.all([send(CapturePayment, duplicated), send(CapturePayment, duplicated)]);
    await bed.handled(duplicated.id, 2);
    const again = await repliesTo(duplicated);
    expect(again).toHaveLength(1);
    expect(again[0].data).toEqual(captured.data);
    expect(await paymentOf(orderId)).toMatchObject({ status: 'CAPTURED', capture_id: captured.data['captureId'] });
  });

  it('refuses a void after the capture and a capture of nothing: parked with a code, no reply, nothing changed', async () => {
    const orderId = randomUUID();
    await repliesTo(await authorise(orderId));
    await repliesTo(await capture(orderId));
    const before = await paymentOf(orderId);

    const lateVoid = await voidPayment(orderId);
    const stray = await capture(randomUUID());
    await Promise.all([bed.handled(lateVoid.id, 1), bed.handled(stray.id, 1)]);
    const parked = await bed.take(deadLetterQueueOf(Queues.paymentCommands));
    const codeOf = (id: string) => parked.find((m) => m.id === id)?.headers[DeadLetterHeaders.errorCode];
    expect(codeOf(lateVoid.id)).toBe('PAYMENT.VOID_AFTER_CAPTURE');
    expect(codeOf(stray.id)).toBe('PAYMENT.NOTHING_TO_CAPTURE');
    expect(await paymentOf(orderId)).toEqual(before);
    const { rows } = await bed.sql.query('SELECT count(*)::int AS n FROM outbox WHERE causation_id = ANY($1)', [[lateVoid.id, stray.id]]);
    expect(rows[0].n).toBe(0);
  });

  it('retries a command the gateway failed (retryable) through the retry ladder, then authorises once', async () => {
    const orderId = randomUUID();
    gatewayFailures = 1;
    const command = await authorise(orderId);
    const [reply] = await repliesTo(command);
    expect(reply).toMatchObject({ type: PaymentAuthorised.type, data: { orderId } });
    expect(bed.failures.filter((f) => f.failure.code === 'PAYMENT.GATEWAY_UNAVAILABLE')).toMatchObject([
      { queue: Queues.paymentCommands, attempt: 1, outcome: 'retry', failure: { retryable: true } },
    ]);
    await bed.handled(command.id, 2);
    expect(await repliesTo(command)).toHaveLength(1);
    expect(await paymentOf(orderId)).toMatchObject({ status: 'AUTHORISED', authorisation_id: reply.data['authorisationId'] });
  });

  it('ends consistently when an authorise and a void of one order race: voided, or cancelled and declined', async () => {
    const orders = Array.from({ length: 20 }, () => randomUUID());
    const sent = await Promise.all(orders.map(async (orderId) => ({ orderId, pair: await Promise.all([authorise(orderId), voidPayment(orderId)]) })));
    for (const { orderId, pair } of sent) {
      const [authoriseReply] = await repliesTo(pair[0]);
      const [voidReply] = await repliesTo(pair[1]);
      expect(voidReply.type).toBe(PaymentVoided.type);
      const payment = await paymentOf(orderId);
      if (authoriseReply.type === PaymentAuthorised.type) expect(payment?.['status']).toBe('VOIDED');
      else expect([authoriseReply.data['reason'], payment?.['status']]).toEqual(['cancelled', 'CANCELLED']);
    }
  });
});
