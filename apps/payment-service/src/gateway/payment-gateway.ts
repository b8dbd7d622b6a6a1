import { randomUUID } from 'node:crypto';
import type { Money } from '@orderly/contracts';
import { type AuthorisationDecision, decideAuthorisation } from './gateway-rules';
import { GatewayUnavailableError } from './gateway-unavailable.error';

export interface PaymentGatewaySettings {
  /** Added to every call. */
  latencyMs: number;
  /** Probability (0-1) that a call fails with GatewayUnavailableError. */
  failureRate: number;
}

export type Authorisation = { kind: 'authorised'; authorisationId: string } | Exclude<AuthorisationDecision, { kind: 'authorise' }>;

/**
 * A payment gateway simulator: the rules of gateway-rules.ts, plus a configurable response time and
 * random failure rate for demos and fault tests. `random` and `sleep` are injectable so the faults are
 * testable without waiting or luck.
 */
export class PaymentGateway {
  constructor(
    private readonly settings: PaymentGatewaySettings,
    private readonly random: () => number = Math.random,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  /** Asks for a hold of `amount` on the customer's card. A silent gateway gives no answer (nothing is held). */
  async authorise(request: { orderId: string; customerId: string; amount: Money }): Promise<Authorisation> {
    const decision = decideAuthorisation(request);
    if (decision.kind === 'silent') return decision;
    await this.call('authorise', request.orderId);
    return decision.kind === 'authorise' ? { kind: 'authorised', authorisationId: randomUUID() } : decision;
  }

  /** Takes the held amount; the capture's id. */
  async capture(orderId: string): Promise<{ captureId: string }> {
    await this.call('capture', orderId);
    return { captureId: randomUUID() };
  }

  /** Releases the hold. */
  async void(orderId: string): Promise<void> {
    await this.call('void', orderId);
  }

  private async call(operation: string, orderId: string): Promise<void> {
    if (this.settings.latencyMs > 0) await this.sleep(this.settings.latencyMs);
    if (this.settings.failureRate > 0 && this.random() < this.settings.failureRate) {
      throw new GatewayUnavailableError(`payment gateway unavailable (simulated) during ${operation} of order ${orderId}`);
    }
  }
}
