import { trace } from '@opentelemetry/api';

/**
 * Attributes that mark the spans of a saga, so a trace backend finds them: the Sagas dashboard links
 * to Tempo with `{ span.orderly.saga.name = "place-order" }` and, per outcome, `span.orderly.saga.outcome`.
 */
export const SagaAttribute = {
  name: 'orderly.saga.name',
  id: 'orderly.saga.id',
  step: 'orderly.saga.step',
  /** Set on the span in which the saga reached its terminal state (completed, compensated, failed). */
  outcome: 'orderly.saga.outcome',
} as const;

export interface SagaSpanFields {
  saga: string;
  sagaId: string;
  step?: string;
  outcome?: string;
}

/**
 * Labels the active span (the `process` span of the reply or deadline that advanced the saga) as part
 * of a saga instance. The saga engine calls it on every transition.
 */
export function annotateSagaSpan(fields: SagaSpanFields): void {
  const span = trace.getActiveSpan();
  if (!span) return;
  span.setAttribute(SagaAttribute.name, fields.saga);
  span.setAttribute(SagaAttribute.id, fields.sagaId);
  if (fields.step) span.setAttribute(SagaAttribute.step, fields.step);
  if (fields.outcome) span.setAttribute(SagaAttribute.outcome, fields.outcome);
}
