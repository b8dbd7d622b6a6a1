import { DeadLetterHeaders } from '@orderly/messaging';

/**
 * An AMQP message as fetched from a DLQ (the shape of amqplib's `GetMessage`, declared here so that
 * this pure code and its tests need no client library).
 */
export interface FetchedMessage {
  content: Buffer;
  fields: { exchange: string; routingKey: string; redelivered?: boolean };
  properties: MessageProperties;
}

export interface MessageProperties {
  contentType?: string;
  contentEncoding?: string;
  headers?: Record<string, unknown>;
  deliveryMode?: number;
  priority?: number;
  correlationId?: string;
  replyTo?: string;
  expiration?: string | number;
  messageId?: string;
  timestamp?: number;
  type?: string;
  userId?: string;
  appId?: string;
}

/** What an operator wants to know about a dead letter, read from its properties and headers. */
export interface DeadLetterSummary {
  type?: string;
  id?: string;
  attempts?: number;
  errorType?: string;
  errorCode?: string;
  errorMessage?: string;
  retryable?: boolean;
  consumer?: string;
  original?: ReplayTarget;
  firstFailedAt?: Date;
  lastFailedAt?: Date;
  /** Set when the broker dead-lettered it itself (delivery limit, rejected by a crashed consumer). */
  brokerReason?: string;
}

export interface ReplayTarget {
  exchange: string;
  routingKey: string;
}

// The CloudEvents attributes of libs/messaging's envelope (binary mode): the native AMQP `type` and
// `message-id` properties mirror them; these headers are the fallback for a producer that set only them.
const CloudEventsType = 'cloudEvents:type';
const CloudEventsId = 'cloudEvents:id';

/**
 * Headers the broker adds when it dead-letters a message (3.10 and 4.x), and the delivery count a
 * quorum queue adds: all part of the failed history a replay resets.
 */
const BrokerFailureHeaders = [
  'x-delivery-count',
  'x-death',
  'x-first-death-exchange',
  'x-first-death-queue',
  'x-first-death-reason',
  'x-last-death-exchange',
  'x-last-death-queue',
  'x-last-death-reason',
];
const FailureHeaders = new Set<string>([...Object.values(DeadLetterHeaders), ...BrokerFailureHeaders]);

interface XDeathEntry {
  queue?: string;
  reason?: string;
  exchange?: string;
  'routing-keys'?: string[];
  count?: number;
  time?: unknown;
  'original-expiration'?: string;
}

const text = (value: unknown): string | undefined => {
  if (typeof value === 'string' && value.length > 0) return value;
  if (Buffer.isBuffer(value) && value.length > 0) return value.toString('utf8');
  return undefined;
};
const integer = (value: unknown): number | undefined => {
  const parsed = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  return Number.isInteger(parsed) ? parsed : undefined;
};
const date = (value: unknown): Date | undefined => {
  // amqplib decodes an AMQP timestamp (seconds) as { '!': 'timestamp', value }.
  if (value && typeof value === 'object' && 'value' in value) {
    const seconds = integer((value as { value: unknown }).value);
    return seconds === undefined ? undefined : new Date(seconds * 1000);
  }
  const raw = text(value);
  if (raw === undefined) return undefined;
  const parsed = new Date(raw);
  return Number.isNaN(parsed.getTime()) ? undefined : parsed;
};

const headersOf = (message: Pick<FetchedMessage, 'properties'>) => message.properties.headers ?? {};

function xDeath(message: Pick<FetchedMessage, 'properties'>): XDeathEntry[] {
  const value = headersOf(message)['x-death'];
  return Array.isArray(value) ? (value as XDeathEntry[]) : [];
}

/**
 * The broker's record of the first time the message died in its work queue: the entry of that queue if
 * there is one, else the first entry (x-death lists the most recent death first).
 */
function firstDeath(
  message: Pick<FetchedMessage, 'properties'>,
  workQueue?: string,
): XDeathEntry | undefined {
  const entries = xDeath(message);
  return entries.find((entry) => workQueue !== undefined && entry.queue === workQueue) ?? entries[0];
}

export const messageTypeOf = (message: Pick<FetchedMessage, 'properties'>): string | undefined =>
  text(message.properties.type) ?? text(headersOf(message)[CloudEventsType]);

export const messageIdOf = (message: Pick<FetchedMessage, 'properties'>): string | undefined =>
  text(message.properties.messageId) ?? text(headersOf(message)[CloudEventsId]);

/**
 * Where the message was published before it failed: our parker's headers, else the broker's x-death
 * record (a message the broker dead-lettered itself). `undefined` when neither says: such a message
 * cannot be replayed (it stays in the DLQ).
 */
export function replayTargetOf(
  message: Pick<FetchedMessage, 'properties'>,
  workQueue?: string,
): ReplayTarget | undefined {
  const headers = headersOf(message);
  const exchange = headers[DeadLetterHeaders.originalExchange];
  const routingKey = headers[DeadLetterHeaders.originalRoutingKey];
  // The default exchange is the empty string: a legitimate original exchange.
  if (typeof exchange === 'string' && typeof routingKey === 'string') return { exchange, routingKey };
  const death = firstDeath(message, workQueue);
  const deathKey = death?.['routing-keys']?.[0];
  if (death && typeof death.exchange === 'string' && typeof deathKey === 'string') {
    return { exchange: death.exchange, routingKey: deathKey };
  }
  return undefined;
}

export function describeDeadLetter(
  message: Pick<FetchedMessage, 'properties'>,
  workQueue?: string,
): DeadLetterSummary {
  const headers = headersOf(message);
  const death = firstDeath(message, workQueue);
  const lastFailedAt = date(headers[DeadLetterHeaders.failedAt]) ?? date(death?.time);
  const retryable = headers[DeadLetterHeaders.retryable];
  return {
    type: messageTypeOf(message),
    id: messageIdOf(message),
    attempts: integer(headers[DeadLetterHeaders.attempts]) ?? integer(death?.count),
    errorType: text(headers[DeadLetterHeaders.errorType]),
    errorCode: text(headers[DeadLetterHeaders.errorCode]),
    errorMessage: text(headers[DeadLetterHeaders.errorMessage]),
    retryable: typeof retryable === 'boolean' ? retryable : undefined,
    consumer: text(headers[DeadLetterHeaders.consumer]),
    original: replayTargetOf(message, workQueue),
    firstFailedAt: date(headers[DeadLetterHeaders.firstFailedAt]),
    lastFailedAt,
    brokerReason: headers[DeadLetterHeaders.errorType] === undefined ? text(death?.reason) : undefined,
  };
}

/**
 * The properties a replayed message is published with: the original ones, without any trace of the
 * failure (so the consumer starts again at attempt 1 and the retry ladder counts from zero), with the
 * per-message TTL the parker or the broker removed when it dead-lettered the message.
 */
export function replayPropertiesOf(
  message: Pick<FetchedMessage, 'properties'>,
  workQueue?: string,
): MessageProperties {
  const { properties } = message;
  const headers = Object.fromEntries(
    Object.entries(properties.headers ?? {}).filter(([name]) => !FailureHeaders.has(name)),
  );
  const expiration =
    text(properties.headers?.[DeadLetterHeaders.originalExpiration]) ??
    text(firstDeath(message, workQueue)?.['original-expiration']) ??
    (properties.expiration === undefined ? undefined : String(properties.expiration));
  const replayed: MessageProperties = {
    contentType: properties.contentType,
    contentEncoding: properties.contentEncoding,
    headers,
    // A replayed message must survive a broker restart on its way to the consumer.
    deliveryMode: 2,
    priority: properties.priority,
    correlationId: properties.correlationId,
    replyTo: properties.replyTo,
    expiration,
    messageId: properties.messageId,
    timestamp: properties.timestamp,
    type: properties.type,
    appId: properties.appId,
    // userId is left out: the broker checks it against the publishing user (the administrator here).
  };
  return Object.fromEntries(Object.entries(replayed).filter(([, value]) => value !== undefined));
}

/** Which dead letters a replay takes: all, or those of the given types and/or ids. */
export interface ReplaySelection {
  types?: readonly string[];
  ids?: readonly string[];
}

export function isSelected(message: Pick<FetchedMessage, 'properties'>, selection: ReplaySelection): boolean {
  const type = messageTypeOf(message);
  const id = messageIdOf(message);
  if (
    selection.types &&
    selection.types.length > 0 &&
    (type === undefined || !selection.types.includes(type))
  )
    return false;
  if (selection.ids && selection.ids.length > 0 && (id === undefined || !selection.ids.includes(id)))
    return false;
  return true;
}

/** The body for a human: indented JSON when it is JSON, the text when it is UTF-8, else base64. */
export function readableBody(message: Pick<FetchedMessage, 'content'>): string {
  const raw = message.content.toString('utf8');
  try {
    return JSON.stringify(JSON.parse(raw), null, 2);
  } catch {
    // Not JSON: show it as it is, unless it is binary (bytes that do not survive a UTF-8 round trip).
    return Buffer.from(raw, 'utf8').equals(message.content)
      ? raw
      : `(binary, ${message.content.length} bytes, base64) ${message.content.toString('base64')}`;
  }
}
