import { LocalServerError } from './local-server.error';

/** No `rabbitmq-server` on this machine: the message says how to get one. */
export class RabbitMqNotInstalledError extends LocalServerError {
  readonly code = 'LOCAL_SERVERS.RABBITMQ_NOT_INSTALLED';

  constructor(readonly searched: readonly string[]) {
    super(
      [
        `rabbitmq-server was not found (looked in: ${searched.join(', ')}). Install RabbitMQ:`,
        '  Debian/Ubuntu: sudo apt-get install rabbitmq-server',
        '  macOS:         brew install rabbitmq',
        '  or run the broker in Docker: docker compose up broker',
      ].join('\n'),
    );
  }
}
