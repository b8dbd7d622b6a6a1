/** A cancel or an operator's retry that the saga's state does not allow (already terminal, past the point of no return). */
export class SagaTransitionRefusedError extends Error {
  readonly code = 'SAGA.TRANSITION_REFUSED';

  constructor(
    readonly sagaId: string,
    readonly action: 'cancel' | 'retry',
    readonly why: string,
  ) {
    super(`cannot ${action} saga ${sagaId}: ${why}`);
    this.name = new.target.name;
  }
}
