import { LocalServerError } from './local-server.error';

export type ServerKind = 'rabbitmq' | 'postgres';

/**
 * Why a server did not start:
 * - `port-in-use`: one of its ports was taken between choosing it and binding it (start again on others);
 * - `exited`: the process ended during boot (the log tail says why);
 * - `timeout`: it did not become ready in time (it has been stopped);
 * - `already-running`: a server of the same folder runs already (stop it, or use it);
 * - `cannot-run`: this machine or these options cannot run it (the message says what to change).
 */
export type ServerStartFailure = 'port-in-use' | 'exited' | 'timeout' | 'already-running' | 'cannot-run';

/** A local server did not start; carries the end of its log so the cause is in the test output. */
export class ServerStartError extends LocalServerError {
  readonly code = 'LOCAL_SERVERS.START_FAILED';

  constructor(
    readonly server: ServerKind,
    readonly reason: ServerStartFailure,
    readonly detail: string,
    readonly logTail = '',
    options?: { cause?: unknown },
  ) {
    super(
      `${server} did not start (${reason}): ${detail}${logTail ? `\n--- last lines of its log ---\n${logTail}` : ''}`,
      options,
    );
  }
}
