/** Base of the errors of the broker app: each has a stable `code` (`BROKER.REASON`) and a message an operator can act on. */
export abstract class BrokerError extends Error {
  abstract readonly code: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The command line was wrong: the CLI prints the message and the command's usage, and exits with 2. */
export class UsageError extends BrokerError {
  readonly code = 'BROKER.USAGE';
}

/** A credential the command needs is neither given nor stored: the message says how to provide it. */
export class MissingCredentialError extends BrokerError {
  readonly code = 'BROKER.MISSING_CREDENTIAL';
}
