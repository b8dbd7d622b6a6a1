/**
 * A message the outbox refuses before touching the database: it does not belong to the contract it was
 * added with, or a value does not fit its column. Thrown inside the caller's transaction, so the state
 * change it came with is rolled back too.
 */
export class OutboxWriteError extends Error {
  readonly code = 'OUTBOX.WRITE_REFUSED';

  constructor(
    readonly messageId: string,
    readonly type: string,
    readonly reason: string,
  ) {
    super(`cannot add message ${messageId} (${type}) to the outbox: ${reason}`);
    this.name = new.target.name;
  }
}
