/** No saga instance with this id (a reply for a saga of another database, or a bad id from an operator). */
export class SagaNotFoundError extends Error {
  readonly code = 'SAGA.NOT_FOUND';

  constructor(readonly sagaId: string) {
    super(`no saga ${sagaId}`);
    this.name = new.target.name;
  }
}
