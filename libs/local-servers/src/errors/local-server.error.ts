/** Base of the errors this library throws: each has a stable `code` (`LOCAL_SERVERS.REASON`). */
export abstract class LocalServerError extends Error {
  abstract readonly code: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
