/**
 * Timings of every saga of a service, unless a step overrides them. Declared here with the reason for
 * each default; the service passes its configured values (SAGA_* settings) in the module options.
 */
export interface SagaSettings {
  /** How long a step waits for its reply before re-sending its command. */
  stepTimeoutMs: number;
  /** Sends of a step's command (the first one included) before the saga gives up on it. */
  stepMaxAttempts: number;
  /**
   * Sends of a compensation before the saga is FAILED (needs an operator). Compensations must finish,
   * so they get more patience than forward steps; an operator's retry starts them again.
   */
  compensationMaxAttempts: number;
  /** How often the sweeper looks for sagas past their deadline. */
  sweepIntervalMs: number;
  /** Sagas one sweep handles (each in its own transaction). */
  sweepBatchSize: number;
  /** How often in-flight/stuck gauges are read from the store. */
  gaugeIntervalMs: number;
  /** An in-flight saga this long past its deadline counts as stuck (the sweeper is not keeping up). */
  stuckAfterMs: number;
}

export const SagaDefaults: SagaSettings = {
  // Participants answer in milliseconds; 5 s is long enough that a busy broker does not cause
  // needless re-sends, short enough that a customer learns the outcome of a stuck payment quickly.
  stepTimeoutMs: 5_000,
  stepMaxAttempts: 3,
  compensationMaxAttempts: 10,
  // The deadline resolution: a timed-out step is noticed at most this late.
  sweepIntervalMs: 500,
  sweepBatchSize: 100,
  gaugeIntervalMs: 5_000,
  stuckAfterMs: 30_000,
};
