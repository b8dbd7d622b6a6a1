import { createHash } from 'node:crypto';

/**
 * The id of the notification of one outcome of one order, the same every time it is computed (a
 * name-based UUID, version 5 layout over SHA-1): a notification re-sent after a crash between the send
 * and the commit carries the same id (and e-mail Message-ID) as the first attempt.
 */
export function notificationIdOf(orderId: string, template: string): string {
  const hash = createHash('sha1').update(`orderly-notification:${orderId}:${template}`).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
