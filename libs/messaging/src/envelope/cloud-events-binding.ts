import type { Message, MessageContract } from '@orderly/contracts';
import type { ConsumeMessage, Options } from 'amqplib';
import { InvalidMessageError } from '../errors/non-retryable-message.error';

/**
 * CloudEvents 1.0 in binary mode over AMQP 0-9-1: the body is the JSON `data`; the attributes travel
 * as `cloudEvents:*` headers (the prefix of the CloudEvents AMQP binding), mirrored into the native AMQP
 * properties (message-id, type, timestamp, content-type, correlation-id) that RabbitMQ tools display.
 */
export const CloudEventsHeaders = {
  specversion: 'cloudEvents:specversion',
  id: 'cloudEvents:id',
  type: 'cloudEvents:type',
  source: 'cloudEvents:source',
  time: 'cloudEvents:time',
  subject: 'cloudEvents:subject',
  /** CloudEvents extension attribute: the contract's schema version. */
  schemaVersion: 'cloudEvents:schemaversion',
  correlationId: 'correlation-id',
  causationId: 'causation-id',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
} as const;

const CONTENT_TYPE = 'application/json';

export function encodeMessage(message: Message): { content: Buffer; options: Options.Publish } {
  const headers: Record<string, string | number> = {
    [CloudEventsHeaders.specversion]: '1.0',
    [CloudEventsHeaders.id]: message.id,
    [CloudEventsHeaders.type]: message.type,
    [CloudEventsHeaders.source]: message.source,
    [CloudEventsHeaders.time]: message.time.toISOString(),
    [CloudEventsHeaders.schemaVersion]: message.version,
    [CloudEventsHeaders.correlationId]: message.correlationId,
  };
  if (message.subject) headers[CloudEventsHeaders.subject] = message.subject;
  if (message.causationId) headers[CloudEventsHeaders.causationId] = message.causationId;
  if (message.traceparent) headers[CloudEventsHeaders.traceparent] = message.traceparent;
  if (message.tracestate) headers[CloudEventsHeaders.tracestate] = message.tracestate;
  return {
    content: Buffer.from(JSON.stringify(message.data)),
    options: {
      messageId: message.id,
      type: message.type,
      timestamp: Math.floor(message.time.getTime() / 1000),
      contentType: CONTENT_TYPE,
      correlationId: message.correlationId,
      persistent: true,
      headers,
    },
  };
}

/**
 * Reads and validates a delivery against its contract. Anything wrong — a missing attribute, a body
 * that is not JSON, an unknown type, data that breaks the schema — is an `InvalidMessageError`, which is
 * never retried: redelivering the same bytes cannot fix it.
 */
export function decodeMessage(delivery: Pick<ConsumeMessage, 'content' | 'properties'>, contracts: ReadonlyMap<string, MessageContract>): Message {
  const { properties, content } = delivery;
  const headers = (properties.headers ?? {}) as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' && value.length > 0 ? value : undefined);

  const id = text(properties.messageId) ?? text(headers[CloudEventsHeaders.id]);
  const type = text(headers[CloudEventsHeaders.type]) ?? text(properties.type);
  const source = text(headers[CloudEventsHeaders.source]);
  const time = text(headers[CloudEventsHeaders.time]);
  const specversion = text(headers[CloudEventsHeaders.specversion]);
  if (!id || !type || !source || !time || !specversion) {
    const missing = Object.entries({
      'message-id': id,
      [CloudEventsHeaders.type]: type,
      [CloudEventsHeaders.source]: source,
      [CloudEventsHeaders.time]: time,
      [CloudEventsHeaders.specversion]: specversion,
    })
      .filter(([, value]) => value === undefined)
      .map(([name]) => name);
    throw new InvalidMessageError(`missing required attributes: ${missing.join(', ')}`, { missing });
  }
  if (specversion !== '1.0') {
    throw new InvalidMessageError(`unsupported CloudEvents specversion ${specversion}`);
  }
  const parsedTime = new Date(time);
  if (Number.isNaN(parsedTime.getTime())) throw new InvalidMessageError(`invalid time "${time}"`);

  const contract = contracts.get(type);
  if (!contract) throw new InvalidMessageError(`unknown message type "${type}"`, { type });
  if (properties.contentType && properties.contentType !== CONTENT_TYPE) {
    throw new InvalidMessageError(`unsupported content type "${properties.contentType}"`);
  }

  let body: unknown;
  try {
    body = JSON.parse(content.toString('utf8'));
  } catch {
    throw new InvalidMessageError(`body of ${type} is not valid JSON`);
  }
  const result = contract.schema.safeParse(body);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`);
    throw new InvalidMessageError(`body of ${type} breaks its schema: ${issues.join('; ')}`, { issues });
  }

  return {
    id,
    type,
    version: Number(headers[CloudEventsHeaders.schemaVersion] ?? contract.version),
    source,
    subject: text(headers[CloudEventsHeaders.subject]),
    time: parsedTime,
    correlationId: text(headers[CloudEventsHeaders.correlationId]) ?? text(properties.correlationId) ?? id,
    causationId: text(headers[CloudEventsHeaders.causationId]),
    traceparent: text(headers[CloudEventsHeaders.traceparent]),
    tracestate: text(headers[CloudEventsHeaders.tracestate]),
    data: result.data,
  };
}
