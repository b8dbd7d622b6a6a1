import { PublishRejectedError, type PublishRejectionReason } from '@orderly/messaging';
import { classifyPublishFailure, retryDelayMs } from './publish-failure';

const rejected = (reason: PublishRejectionReason, detail?: string) =>
  new PublishRejectedError('m-1', 'shop.events', 'shop.parcel-moved', reason, detail);
const fresh = { exchange: 'shop.events', attempts: 0 };
const retried = { exchange: 'shop.events', attempts: 2 };
const closedByServer = (exchange: string) =>
  `Channel closed by server: 404 (NOT-FOUND) with message "NOT_FOUND - no exchange '${exchange}' in vhost 'orderly'"`;

describe('classifyPublishFailure', () => {
  it.each(['closed', 'timeout', 'buffer-full'] as const)('blames the transport, not the row, for %s', (reason) => {
    expect(classifyPublishFailure(rejected(reason), fresh)).toMatchObject({ kind: 'transport', reason });
  });

  it.each(['nacked', 'returned'] as const)('blames the row when the broker %s it', (reason) => {
    expect(classifyPublishFailure(rejected(reason), fresh)).toMatchObject({ kind: 'refused', reason });
  });

  it('blames the transport when the channel went down with its connection', () => {
    expect(classifyPublishFailure(rejected('channel-error', 'channel closed'), fresh)).toMatchObject({ kind: 'transport' });
  });

  it('blames the row when the broker closed the channel naming its exchange', () => {
    expect(classifyPublishFailure(rejected('channel-error', closedByServer('shop.events')), fresh)).toMatchObject({
      kind: 'refused',
      reason: 'channel-error',
    });
  });

  it('suspects a row caught in a channel closed for another exchange, and blames it when it fails again', () => {
    const error = rejected('channel-error', closedByServer('shop.nowhere'));
    expect(classifyPublishFailure(error, fresh)).toMatchObject({ kind: 'suspect' });
    expect(classifyPublishFailure(error, retried)).toMatchObject({ kind: 'refused' });
  });

  it('blames the row for anything that is not a publish rejection', () => {
    expect(classifyPublishFailure(new TypeError('bad row'), fresh)).toEqual({ kind: 'refused', reason: 'error', error: 'bad row' });
  });
});

describe('retryDelayMs', () => {
  const settings = { retryBaseDelayMs: 1_000, retryMaxDelayMs: 60_000 };
  const refused = { kind: 'refused', reason: 'returned', error: '' } as const;

  it('doubles per attempt, with jitter between half and the full delay', () => {
    expect([0, 1, 2, 3].map((attempts) => retryDelayMs(refused, attempts, settings, () => 1))).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(retryDelayMs(refused, 3, settings, () => 0)).toBe(4_000);
  });

  it('stops at the maximum', () => {
    expect(retryDelayMs(refused, 40, settings, () => 1)).toBe(60_000);
  });

  it('retries a first-time suspect at once', () => {
    expect(retryDelayMs({ kind: 'suspect', reason: 'channel-error', error: '' }, 0, settings)).toBe(0);
  });
});
