/**
 * Someone else wrote the saga instance between our read and our write (its version moved on). The
 * transaction is rolled back; the caller retries from a fresh read (or the message is redelivered).
 */
export class SagaConcurrencyError extends Error {
  readonly code = 'SAGA.CONCURRENT_UPDATE';

  constructor(
    readonly sagaId: string,
    readonly expectedVersion: number,
  ) {
    super(`saga ${sagaId} was changed by someone else (expected version ${expectedVersion})`);
    this.name = new.target.name;
  }
}
