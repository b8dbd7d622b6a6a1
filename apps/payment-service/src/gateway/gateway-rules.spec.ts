import { DeclineReasons, decideAuthorisation, GatewayRules } from './gateway-rules';
import { PaymentGateway } from './payment-gateway';
import { GatewayUnavailableError } from './gateway-unavailable.error';

const eur = (amountMinor: number) => ({ amountMinor, currency: 'EUR' });

describe('gateway rules', () => {
  it('authorises an ordinary customer and amount', () => {
    expect(decideAuthorisation({ customerId: 'alice', amount: eur(1_000) })).toEqual({ kind: 'authorise' });
  });

  it('declines customers whose id starts with declined-', () => {
    expect(decideAuthorisation({ customerId: 'declined-bob', amount: eur(1) })).toEqual({ kind: 'decline', reason: 'card declined' });
  });

  it('declines amounts over the limit, and accepts the limit itself', () => {
    expect(decideAuthorisation({ customerId: 'alice', amount: eur(GatewayRules.amountLimitMinor + 1) })).toEqual({
      kind: 'decline',
      reason: DeclineReasons.overLimit,
    });
    expect(decideAuthorisation({ customerId: 'alice', amount: eur(GatewayRules.amountLimitMinor) })).toEqual({ kind: 'authorise' });
  });

  it('stays silent for customers whose id starts with silent-, whatever the amount', () => {
    expect(decideAuthorisation({ customerId: 'silent-carol', amount: eur(10_000_000) })).toEqual({ kind: 'silent' });
  });

  it('lets the card decline win over the amount limit (rules apply in the documented order)', () => {
    expect(decideAuthorisation({ customerId: 'declined-dave', amount: eur(10_000_000) })).toEqual({
      kind: 'decline',
      reason: DeclineReasons.cardDeclined,
    });
  });
});

describe('PaymentGateway simulator', () => {
  const request = { orderId: '00000000-0000-4000-8000-000000000001', customerId: 'alice', amount: eur(100) };

  it('answers with a fresh authorisation id and a capture id', async () => {
    const gateway = new PaymentGateway({ latencyMs: 0, failureRate: 0 });
    const first = await gateway.authorise(request);
    const second = await gateway.authorise(request);
    expect(first).toEqual({ kind: 'authorised', authorisationId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(second).not.toEqual(first);
    expect(await gateway.capture(request.orderId)).toEqual({ captureId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  });

  it('fails a call when the random draw falls under the failure rate, with a retryable error', async () => {
    const draws = [0.2, 0.3];
    const gateway = new PaymentGateway({ latencyMs: 0, failureRate: 0.25 }, () => draws.shift() ?? 1);
    await expect(gateway.authorise(request)).rejects.toBeInstanceOf(GatewayUnavailableError);
    await expect(gateway.void(request.orderId)).resolves.toBeUndefined();
  });

  it('never fails at rate 0 and always fails at rate 1', async () => {
    await expect(new PaymentGateway({ latencyMs: 0, failureRate: 0 }, () => 0).capture(request.orderId)).resolves.toBeDefined();
    await expect(new PaymentGateway({ latencyMs: 0, failureRate: 1 }, () => 0.999).capture(request.orderId)).rejects.toMatchObject({
      code: 'PAYMENT.GATEWAY_UNAVAILABLE',
    });
  });

  it('waits the configured latency on every call, and not at all for a silent customer', async () => {
    const waits: number[] = [];
    const gateway = new PaymentGateway({ latencyMs: 40, failureRate: 0 }, Math.random, async (ms) => void waits.push(ms));
    await gateway.authorise(request);
    await gateway.void(request.orderId);
    await gateway.authorise({ ...request, customerId: 'silent-x' });
    expect(waits).toEqual([40, 40]);
  });
});
