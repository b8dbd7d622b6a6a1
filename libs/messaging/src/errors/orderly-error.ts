/** Base of the errors this library throws: each has a stable `code` (`AREA.REASON`) for logs and alerts. */
export abstract class OrderlyError extends Error {
  abstract readonly code: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
