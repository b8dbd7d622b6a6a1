import type { Message } from '@orderly/contracts';
import type { ClaimedRow } from '../outbox-sql';

/** A claimed outbox row, ready to publish: the message as written and where it goes. */
export interface OutboxRow {
  /** The row's id (bigint, as text). */
  id: string;
  aggregate: string | null;
  exchange: string;
  routingKey: string;
  mandatory: boolean;
  attempts: number;
  /** When the row was written, in epoch ms of the database clock. */
  createdMs: number;
  message: Message;
}

export function outboxRowOf(row: ClaimedRow): OutboxRow {
  return {
    id: row.id,
    aggregate: row.aggregate,
    exchange: row.exchange,
    routingKey: row.routing_key,
    mandatory: row.mandatory,
    attempts: row.attempts,
    createdMs: row.created_ms,
    message: {
      id: row.message_id,
      type: row.type,
      version: row.version,
      source: row.source,
      subject: row.aggregate ?? undefined,
      time: row.occurred_at,
      correlationId: row.correlation_id,
      causationId: row.causation_id ?? undefined,
      traceparent: row.traceparent ?? undefined,
      tracestate: row.tracestate ?? undefined,
      data: row.body,
    },
  };
}
