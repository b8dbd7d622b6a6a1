// Every statement on the `outbox` table (libs/outbox/prisma/outbox.prisma), in one place. Raw SQL rather
// than Prisma: the claim needs FOR UPDATE SKIP LOCKED and anti-joins Prisma cannot express, the writer
// must work on any service's client, and the relay runs on plain `pg` connections (LISTEN needs one).

/** The channel writers notify and relays LISTEN on. */
export const NOTIFY_CHANNEL = 'orderly_outbox';

/** Columns the writer sets, each with the cast its parameter needs (Prisma passes every value untyped). */
const INSERT_COLUMNS = [
  ['message_id', 'varchar'],
  ['type', 'varchar'],
  ['aggregate', 'varchar'],
  ['exchange', 'varchar'],
  ['routing_key', 'varchar'],
  ['mandatory', 'boolean'],
  ['version', 'int'],
  ['source', 'varchar'],
  ['occurred_at', 'timestamptz'],
  ['correlation_id', 'varchar'],
  ['causation_id', 'varchar'],
  ['traceparent', 'varchar'],
  ['tracestate', 'varchar'],
  ['body', 'json'],
] as const;

export const INSERT_COLUMN_COUNT = INSERT_COLUMNS.length;

/**
 * `INSERT` of `rows` messages in one statement. With `notify`, the same statement calls `pg_notify`:
 * no extra round trip, and PostgreSQL delivers it only if the transaction commits, once per
 * transaction however many statements notified (identical notifications are folded).
 */
export function insertStatement(rows: number, notify: boolean): string {
  const values = Array.from({ length: rows }, (_, row) => {
    const params = INSERT_COLUMNS.map(([, cast], column) => `$${row * INSERT_COLUMN_COUNT + column + 1}::${cast}`);
    return `(${params.join(', ')})`;
  });
  const insert = `INSERT INTO outbox (${INSERT_COLUMNS.map(([name]) => name).join(', ')}) VALUES ${values.join(', ')}`;
  return notify ? `WITH added AS (${insert}) SELECT pg_notify('${NOTIFY_CHANNEL}', '')` : insert;
}

/** A claimed row, as the claim statement returns it. */
export interface ClaimedRow {
  id: string;
  message_id: string;
  type: string;
  aggregate: string | null;
  exchange: string;
  routing_key: string;
  mandatory: boolean;
  version: number;
  source: string;
  occurred_at: Date;
  correlation_id: string;
  causation_id: string | null;
  traceparent: string | null;
  tracestate: string | null;
  body: unknown;
  attempts: number;
  /** created_at in epoch milliseconds, with its microseconds. */
  created_ms: number;
}

/**
 * Claims up to $1 rows for publishing, locked until the claiming transaction ends; other relays skip
 * them (SKIP LOCKED) instead of waiting. Rows are due (not backing off) and unsent, in id order.
 *
 * Per-aggregate order: a row is not claimed while an earlier unsent row of its aggregate exists that
 * this statement does not claim too, because that row is
 *   - backing off after a refusal (first NOT EXISTS: the row is not even locked, so the later rows
 *     do not take the places of other aggregates' rows in the batch), or
 *   - locked by another relay, so SKIP LOCKED left it out of our claim (second NOT EXISTS: the later
 *     rows are locked by us all the same, but not returned, so not published; they go out once the
 *     other relay has marked the earlier one sent).
 * The columns come from the CTE, i.e. from the row versions we locked, not the statement's snapshot.
 *
 * The plan must walk outbox_unsent_idx in id order and stop after $1 rows, probing the aggregate index
 * per row, however large the backlog. Statistics lag behind a backlog that grows fast (an outage): with
 * "almost no unsent rows" in them, PostgreSQL prefers to fetch every unsent row, sort them, and join the
 * aggregate index wholesale, which makes each claim O(backlog) exactly when the backlog is largest
 * (measured: 115 ms instead of 2 ms per claim at 30k rows). Two guards: `OFFSET 0` keeps each NOT EXISTS
 * a per-row subplan (PostgreSQL does not turn a subquery with OFFSET into a join), and the relay's
 * sessions run with seq scans and bitmap scans disabled (RELAY_SESSION_OPTIONS).
 */
export const CLAIM_SQL = `
WITH claimed AS (
  SELECT o.id, o.message_id, o.type, o.aggregate, o.exchange, o.routing_key, o.mandatory, o.version,
         o.source, o.occurred_at, o.correlation_id, o.causation_id, o.traceparent, o.tracestate, o.body,
         o.attempts, o.created_at
  FROM outbox AS o
  WHERE o.sent_at IS NULL
    AND o.next_attempt_at <= clock_timestamp()
    AND NOT EXISTS (
      SELECT 1 FROM outbox AS e
      WHERE e.aggregate = o.aggregate AND e.sent_at IS NULL AND e.id < o.id
        AND e.next_attempt_at > clock_timestamp()
      OFFSET 0)
  ORDER BY o.id
  LIMIT $1
  FOR UPDATE OF o SKIP LOCKED
)
SELECT c.id::text AS id, c.message_id, c.type, c.aggregate, c.exchange, c.routing_key, c.mandatory,
       c.version, c.source, c.occurred_at, c.correlation_id, c.causation_id, c.traceparent, c.tracestate,
       c.body, c.attempts, (extract(epoch FROM c.created_at) * 1000)::float8 AS created_ms
FROM claimed AS c
WHERE NOT EXISTS (
  SELECT 1 FROM outbox AS e
  WHERE e.aggregate = c.aggregate AND e.sent_at IS NULL AND e.id < c.id
    AND e.id NOT IN (SELECT id FROM claimed)
  OFFSET 0)
ORDER BY c.id`;

/**
 * Settings of the relay's own sessions (writers' and handlers' sessions are not affected):
 * - seq scans and bitmap scans off: every statement the relay runs is meant to be an index scan (claim,
 *   mark by id, backlog on the partial index, cleanup in sent_at order); this keeps it so when
 *   statistics are stale (see CLAIM_SQL);
 * - synchronous_commit off: the relay's commit (marking rows sent) returns without waiting for the WAL
 *   flush, so it neither waits on the disk nor queues behind writers' flushes. A database crash can
 *   lose the last marks (under a second's worth); those rows are then published again, which consumers
 *   absorb anyway (the inbox). A write the relay makes is never the only copy of anything.
 */
export const RELAY_SESSION_OPTIONS = '-c enable_seqscan=off -c enable_bitmapscan=off -c synchronous_commit=off';

/** $1: ids the broker confirmed. */
export const MARK_SENT_SQL = `UPDATE outbox SET sent_at = clock_timestamp() WHERE id = ANY($1::bigint[])`;

/** $1: ids the broker confirmed, deleted at once (sentRetentionMs = 0): a new row version and three index entries fewer per message. */
export const DELETE_CONFIRMED_SQL = `DELETE FROM outbox WHERE id = ANY($1::bigint[])`;

/** $1 ids, $2 errors, $3 delays in ms before the next attempt: rows the broker refused. */
export const MARK_REFUSED_SQL = `
UPDATE outbox AS o
SET attempts = o.attempts + 1,
    last_error = left(f.error, 1000),
    next_attempt_at = clock_timestamp() + f.delay_ms * interval '1 millisecond'
FROM unnest($1::bigint[], $2::text[], $3::float8[]) AS f(id, error, delay_ms)
WHERE o.id = f.id`;

/** Unsent rows and the age of the oldest (seconds; null when there is none). */
export const BACKLOG_SQL = `
SELECT count(*)::int AS messages,
       extract(epoch FROM clock_timestamp() - min(created_at))::float8 AS oldest_age_s
FROM outbox WHERE sent_at IS NULL`;

/** $1 retention in ms, $2 batch size: deletes sent rows older than the retention, oldest first. */
export const DELETE_SENT_SQL = `
DELETE FROM outbox WHERE id IN (
  SELECT id FROM outbox
  WHERE sent_at < clock_timestamp() - $1 * interval '1 millisecond'
  ORDER BY sent_at
  LIMIT $2
  FOR UPDATE SKIP LOCKED)`;

/** $1 retention in ms, $2 batch size: deletes inbox rows older than the retention. */
export const DELETE_INBOX_SQL = `
DELETE FROM inbox WHERE (message_id, consumer) IN (
  SELECT message_id, consumer FROM inbox
  WHERE processed_at < clock_timestamp() - $1 * interval '1 millisecond'
  LIMIT $2
  FOR UPDATE SKIP LOCKED)`;

/** $1 message id, $2 consumer: 1 when this is the first time, 0 for a duplicate. */
export const INBOX_INSERT_SQL = `INSERT INTO inbox (message_id, consumer) VALUES ($1::varchar, $2::varchar) ON CONFLICT DO NOTHING`;

/** The database clock, in epoch milliseconds with microseconds. */
export const CLOCK_SQL = `SELECT (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS now_ms`;
