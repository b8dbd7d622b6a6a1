import { OrderlyError } from '@orderly/messaging';

/**
 * The simulated gateway failed to answer (PAYMENT_GATEWAY_FAILURE_RATE). Retryable: the handler's
 * transaction rolls back, and the retry ladder delivers the command again later.
 */
export class GatewayUnavailableError extends OrderlyError {
  readonly code = 'PAYMENT.GATEWAY_UNAVAILABLE';
}
