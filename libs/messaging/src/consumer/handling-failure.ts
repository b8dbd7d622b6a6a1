import { NonRetryableMessageError } from '../errors/non-retryable-message.error';

/** Why a delivery could not be handled, as recorded on its dead letter. */
export interface HandlingFailure {
  /** False when handling the same bytes again cannot succeed (invalid message, business impossibility). */
  retryable: boolean;
  /** The error's class name (`InvalidMessageError`, `TypeError`, …). */
  type: string;
  /** The stable `AREA.REASON` code of our own errors. */
  code?: string;
  message: string;
}

/**
 * Invalid or unknown messages and `NonRetryableMessageError`s are final; anything else (a database
 * timeout, a bug that a deploy will fix) is worth retrying. The retry ladder (`retry-ladder.ts`) acts on this.
 */
export function classifyFailure(error: unknown): HandlingFailure {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      retryable: !(error instanceof NonRetryableMessageError),
      type: error.name || error.constructor.name,
      code: typeof code === 'string' ? code : undefined,
      message: error.message,
    };
  }
  // Something that is not an Error was thrown (a string, an RpcException's payload object).
  return { retryable: true, type: typeof error, message: describe(error) };
}

/** Cuts a text to at most `maxBytes` of UTF-8 without splitting a character, marking the cut. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const marker = '… [truncated]';
  const budget = Math.max(0, maxBytes - Buffer.byteLength(marker, 'utf8'));
  let cut = Buffer.from(text, 'utf8').subarray(0, budget).toString('utf8');
  // A multi-byte character split at the boundary decodes to U+FFFD: drop it.
  if (cut.endsWith('\uFFFD')) cut = cut.slice(0, -1);
  return cut + marker;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
