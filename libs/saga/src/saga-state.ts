/** Where a saga instance is; terminal: COMPLETED, COMPENSATED, FAILED (needs an operator). */
export type SagaStatus = 'RUNNING' | 'COMPENSATING' | 'COMPLETED' | 'COMPENSATED' | 'FAILED';
export type SagaPhase = 'forward' | 'compensation';

export const TerminalStatuses: readonly SagaStatus[] = ['COMPLETED', 'COMPENSATED', 'FAILED'];
export const isTerminal = (status: SagaStatus): boolean => TerminalStatuses.includes(status);

/** One saga instance, as persisted in `saga_instance`. */
export interface SagaState<D = unknown> {
  id: string;
  type: string;
  status: SagaStatus;
  data: D;
  /** The step being run (forward) or undone (compensation); where it stopped when FAILED. */
  stepIndex: number;
  phase: SagaPhase;
  /** 1 for the first send of the current step (or compensation), +1 per re-send. */
  attempt: number;
  /** Id of the command whose reply the saga waits for; replies to anything else change nothing. */
  awaitingMessageId: string | null;
  deadlineAt: Date | null;
  /** When the current step (or compensation) was first sent: step durations are measured from it. */
  stepStartedAt: Date;
  reason: string | null;
  cancelled: boolean;
  /** Optimistic concurrency: the store writes only over the version it read. */
  version: number;
  startedAt: Date;
  endedAt: Date | null;
}

/** One line of a saga's timeline (`saga_transition`). */
export interface SagaLogEntry {
  at: Date;
  step: string;
  attempt: number;
  messageType: string;
  messageId: string;
  direction: 'sent' | 'received';
  outcome: string;
  traceId?: string;
}
