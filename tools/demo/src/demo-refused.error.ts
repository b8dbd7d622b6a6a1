/**
 * The demo cannot run as asked, for a reason the user can fix (no `docker compose`, placeholder passwords
 * in `.env`): its message says what to do, and the demo prints it without a stack trace.
 */
export class DemoRefusedError extends Error {
  readonly code = 'DEMO.REFUSED';

  constructor(message: string) {
    super(message);
    this.name = 'DemoRefusedError';
  }
}
