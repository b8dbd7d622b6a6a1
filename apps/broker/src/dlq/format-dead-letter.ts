import { DeadLetterHeaders } from '@orderly/messaging';
import { describeDeadLetter, readableBody, type FetchedMessage } from './dead-letter';

/** `45s`, `12m 5s`, `3h 20m`, `2d 4h`: how long ago, to the precision an operator needs. */
export function formatAge(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const [d, h, m, s] = [
    Math.floor(seconds / 86_400),
    Math.floor(seconds / 3600) % 24,
    Math.floor(seconds / 60) % 60,
    seconds % 60,
  ];
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s}s`;
  return `${s}s`;
}

const shown = new Set<string>([...Object.values(DeadLetterHeaders), 'x-death']);

const when = (date: Date | undefined, now: Date) =>
  date ? `${date.toISOString()} (${formatAge(now.getTime() - date.getTime())} ago)` : '-';

function headerValue(value: unknown): string {
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (value && typeof value === 'object' && '!' in value && 'value' in value)
    return String((value as { value: unknown }).value);
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** One dead letter as `dlq peek` prints it: what failed, where, why, when, then its other headers and body. */
export function formatDeadLetter(
  message: FetchedMessage,
  position: number,
  workQueue: string,
  now: Date,
): string[] {
  const letter = describeDeadLetter(message, workQueue);
  const error = letter.errorType
    ? `${letter.errorType}${letter.errorCode ? ` [${letter.errorCode}]` : ''}: ${letter.errorMessage ?? ''}` +
      (letter.retryable === undefined ? '' : letter.retryable ? ' (retryable)' : ' (not retryable)')
    : letter.brokerReason
      ? `dead-lettered by the broker: ${letter.brokerReason}`
      : '-';
  const lines = [
    `#${position}  ${letter.type ?? '(no type)'}  id ${letter.id ?? '(none)'}`,
    `  attempts:       ${letter.attempts ?? '-'}`,
    `  error:          ${error}`,
    `  original:       ${letter.original ? `exchange "${letter.original.exchange}", routing key "${letter.original.routingKey}"` : '- (cannot be replayed)'}`,
    `  first failure:  ${when(letter.firstFailedAt, now)}`,
    `  last failure:   ${when(letter.lastFailedAt, now)}`,
    `  consumer:       ${letter.consumer ?? '-'}`,
  ];
  const others = Object.entries(message.properties.headers ?? {}).filter(([name]) => !shown.has(name));
  if (others.length > 0) {
    lines.push('  headers:');
    for (const [name, value] of others) lines.push(`    ${name}: ${headerValue(value)}`);
  }
  const body = readableBody(message);
  lines.push(
    `  body (${message.content.length} bytes${message.properties.contentType ? `, ${message.properties.contentType}` : ''}):`,
  );
  lines.push(...body.split('\n').map((line) => `    ${line}`));
  return lines;
}
