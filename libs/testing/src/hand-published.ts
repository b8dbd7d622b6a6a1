import type { ProvisionedVhost } from './provisioned-vhost';

/** A message as an operator publishes it through the management API (which sets any property). */
export interface RawMessage {
  exchange: string;
  routingKey: string;
  messageId: string;
  /** CloudEvents attributes and the other headers, as the services' envelope carries them. */
  headers: Record<string, string | number>;
  type?: string;
  correlationId?: string;
  payload: string;
}

/** A message a service's relay published, as its outbox row stores it. */
export interface SentMessage {
  messageId: string;
  type: string;
  aggregate: string | null;
  exchange: string;
  routingKey: string;
  version: number;
  source: string;
  occurredAt: Date;
  correlationId: string;
  causationId: string | null;
  body: string;
}

/** Anything that runs a query: a pg `Client` or `Pool`. */
interface Queryable {
  query<R extends object>(text: string, values: unknown[]): Promise<{ rows: R[] }>;
}

/**
 * Publishes `message` through the vhost's management API, as an operator or a broken producer would (a
 * poison message, a duplicate); throws if no queue took it, so a test that injects nothing cannot pass.
 */
export async function publishByHand(vhost: ProvisionedVhost, message: RawMessage): Promise<void> {
  const { routed } = await vhost.api<{ routed: boolean }>(
    'POST',
    `/exchanges/${encodeURIComponent(vhost.vhost)}/${encodeURIComponent(message.exchange)}/publish`,
    {
      routing_key: message.routingKey,
      payload: message.payload,
      payload_encoding: 'string',
      properties: {
        message_id: message.messageId,
        delivery_mode: 2,
        content_type: 'application/json',
        ...(message.type ? { type: message.type } : {}),
        ...(message.correlationId ? { correlation_id: message.correlationId } : {}),
        headers: message.headers,
      },
    },
  );
  if (!routed) throw new Error(`${message.exchange}/${message.routingKey}: the broker routed it to no queue`);
}

/**
 * The latest message of `type` that the relay of this service database published: what a duplicate
 * delivery re-publishes byte for byte.
 */
export async function lastSentMessage(database: Queryable, type: string): Promise<SentMessage | undefined> {
  const { rows } = await database.query<SentMessage>(
    `SELECT message_id AS "messageId", type, aggregate, exchange, routing_key AS "routingKey", version, source,
            occurred_at AS "occurredAt", correlation_id AS "correlationId", causation_id AS "causationId",
            body::text AS body
       FROM outbox WHERE type = $1 AND sent_at IS NOT NULL ORDER BY id DESC LIMIT 1`,
    [type],
  );
  return rows[0];
}

/** The same message again, same id and attributes, as the relay first published it (a redelivery). */
export function redeliveryOf(sent: SentMessage): RawMessage {
  const headers: Record<string, string | number> = {
    'cloudEvents:specversion': '1.0',
    'cloudEvents:id': sent.messageId,
    'cloudEvents:type': sent.type,
    'cloudEvents:source': sent.source,
    'cloudEvents:time': new Date(sent.occurredAt).toISOString(),
    'cloudEvents:schemaversion': sent.version,
    'correlation-id': sent.correlationId,
  };
  if (sent.aggregate) headers['cloudEvents:subject'] = sent.aggregate;
  if (sent.causationId) headers['causation-id'] = sent.causationId;
  return {
    exchange: sent.exchange,
    routingKey: sent.routingKey,
    messageId: sent.messageId,
    type: sent.type,
    correlationId: sent.correlationId,
    headers,
    payload: sent.body,
  };
}
