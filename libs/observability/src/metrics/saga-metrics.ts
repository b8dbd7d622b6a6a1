import { defineCounter, defineGauge, defineHistogram } from './metrics-registry';
import { OrderlyMetrics, type SagaOutcome, SagaOutcomes, type SagaStepOutcome } from './orderly-metrics';

/**
 * What libs/saga records, on the shared registry (names in `OrderlyMetrics`). A saga's first start
 * creates its completed series at 0 for every outcome (`failed` shows 0 rather than no data).
 */
export interface SagaMetricsRecorder {
  started(saga: string): void;
  /** A saga reached a terminal state `seconds` after it started. */
  completed(saga: string, outcome: SagaOutcome, seconds: number): void;
  /** A step was settled `seconds` after its command was first sent. Compensations use step `<step>:compensate`. */
  stepFinished(saga: string, step: string, outcome: SagaStepOutcome, seconds: number): void;
  /**
   * Counts read from the saga store on a timer (in flight; stuck = past the current step's deadline
   * and retries). Every orchestrator instance reports the whole store, so dashboards take the max.
   */
  inFlight(saga: string, count: number): void;
  stuck(saga: string, count: number): void;
}

export function sagaMetricsRecorder(): SagaMetricsRecorder {
  const started = defineCounter(OrderlyMetrics.sagaStarted);
  const completed = defineCounter(OrderlyMetrics.sagaCompleted);
  const duration = defineHistogram(OrderlyMetrics.sagaDuration);
  const stepDuration = defineHistogram(OrderlyMetrics.sagaStepDuration);
  const inFlight = defineGauge(OrderlyMetrics.sagaInFlight);
  const stuck = defineGauge(OrderlyMetrics.sagaStuck);
  const seen = new Set<string>();

  return {
    started(saga) {
      if (!seen.has(saga)) {
        seen.add(saga);
        for (const outcome of SagaOutcomes) completed.inc({ saga, outcome }, 0);
      }
      started.inc({ saga });
    },
    completed(saga, outcome, seconds) {
      completed.inc({ saga, outcome });
      duration.observe({ saga, outcome }, seconds);
    },
    stepFinished: (saga, step, outcome, seconds) => stepDuration.observe({ saga, step, outcome }, seconds),
    inFlight: (saga, count) => inFlight.set({ saga }, count),
    stuck: (saga, count) => stuck.set({ saga }, count),
  };
}
