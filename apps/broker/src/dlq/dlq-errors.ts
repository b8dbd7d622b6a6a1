import { BrokerError } from '../errors/broker-error';

/** The CLI could not open (or lost) its AMQP connection: the message says to where and why. */
export class AmqpConnectionError extends BrokerError {
  readonly code = 'BROKER.AMQP_CONNECTION';
}

/** The DLQ named on the command line is in the topology but not on the broker (not provisioned). */
export class DeadLetterQueueMissingError extends BrokerError {
  readonly code = 'BROKER.DLQ_MISSING';

  constructor(
    readonly queue: string,
    readonly vhost: string,
  ) {
    super(
      `queue "${queue}" does not exist in vhost "${vhost}": provision the broker first (\`npm run broker -- provision\`)`,
    );
  }
}

/** `dlq purge` without `--yes` where nobody can answer the confirmation prompt. */
export class ConfirmationRequiredError extends BrokerError {
  readonly code = 'BROKER.CONFIRMATION_REQUIRED';
}
