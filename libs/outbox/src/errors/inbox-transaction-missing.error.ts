/**
 * A handler asked for its transaction (`@Transaction()`) but is not wrapped by the inbox
 * (`@Idempotent()`), so there is none: a programming error, reported on the first delivery.
 */
export class InboxTransactionMissingError extends Error {
  readonly code = 'OUTBOX.INBOX_TRANSACTION_MISSING';

  constructor(readonly handler: string) {
    super(`${handler} takes @Transaction() but is not marked @Idempotent(): only the inbox opens the handler's transaction`);
    this.name = new.target.name;
  }
}
