import { SagaConcurrencyError } from '../errors/saga-concurrency.error';
import type { SagaLogEntry, SagaState, SagaStatus } from '../saga-state';
import type { SagaTransaction } from './saga-database';

// The tables are declared in the orchestrating service's schema.prisma (saga_instance, saga_transition);
// these statements are the library's side of that contract.

const COLUMNS = `id, type, status::text AS status, data, step_index, phase, attempt, awaiting_message_id, deadline_at,
  step_started_at, reason, cancelled, version, started_at, ended_at`;

interface Row {
  id: string;
  type: string;
  status: SagaStatus;
  data: unknown;
  step_index: number;
  phase: SagaState['phase'];
  attempt: number;
  awaiting_message_id: string | null;
  deadline_at: Date | null;
  step_started_at: Date;
  reason: string | null;
  cancelled: boolean;
  version: number;
  started_at: Date;
  ended_at: Date | null;
}

const stateOf = (r: Row): SagaState => ({
  id: r.id,
  type: r.type,
  status: r.status,
  data: r.data,
  stepIndex: r.step_index,
  phase: r.phase,
  attempt: r.attempt,
  awaitingMessageId: r.awaiting_message_id,
  deadlineAt: r.deadline_at,
  stepStartedAt: r.step_started_at,
  reason: r.reason,
  cancelled: r.cancelled,
  version: r.version,
  startedAt: r.started_at,
  endedAt: r.ended_at,
});

export interface SagaListFilter {
  status?: SagaStatus;
  type?: string;
  /** Only sagas started at least this long ago (finding the old, stuck ones). */
  olderThanMs?: number;
  limit: number;
}

export const SagaStore = {
  /** `traceparent`: the trace the saga starts in (see `claimDue`). */
  async insert(tx: SagaTransaction, s: SagaState, traceparent: string | undefined): Promise<void> {
    await tx.$executeRawUnsafe(
      `INSERT INTO saga_instance (id, type, status, data, step_index, phase, attempt, awaiting_message_id, deadline_at,
         step_started_at, reason, cancelled, version, started_at, ended_at, traceparent, updated_at)
       VALUES ($1::uuid, $2, $3::saga_status, $4::jsonb, $5, $6, $7, $8, $9, $10, $11, $12, 0, $13, $14, $15, now())`,
      s.id,
      s.type,
      s.status,
      JSON.stringify(s.data),
      s.stepIndex,
      s.phase,
      s.attempt,
      s.awaitingMessageId,
      s.deadlineAt,
      s.stepStartedAt,
      s.reason,
      s.cancelled,
      s.startedAt,
      s.endedAt,
      traceparent ?? null,
    );
  },

  /**
   * Reads an instance; with `lock`, holds its row until the transaction ends, so replies, the sweeper,
   * cancels and retries of one saga take turns (the version check below still guards every write).
   */
  async load(tx: SagaTransaction, id: string, lock: boolean): Promise<SagaState | undefined> {
    const rows = await tx.$queryRawUnsafe<Row[]>(
      `SELECT ${COLUMNS} FROM saga_instance WHERE id = $1::uuid${lock ? ' FOR UPDATE' : ''}`,
      id,
    );
    return rows[0] ? stateOf(rows[0]) : undefined;
  },

  /**
   * Writes `s` over version `s.version` and returns the new version; someone else's write in between is
   * refused. `traceparent`: the trace of this transition (kept as it was when there is none).
   */
  async save(tx: SagaTransaction, s: SagaState, traceparent: string | undefined): Promise<number> {
    const rows = await tx.$queryRawUnsafe<Array<{ version: number }>>(
      `UPDATE saga_instance SET status = $3::saga_status, data = $4::jsonb, step_index = $5, phase = $6, attempt = $7,
         awaiting_message_id = $8, deadline_at = $9, step_started_at = $10, reason = $11, cancelled = $12,
         ended_at = $13, traceparent = COALESCE($14, traceparent), version = version + 1, updated_at = now()
       WHERE id = $1::uuid AND version = $2
       RETURNING version`,
      s.id,
      s.version,
      s.status,
      JSON.stringify(s.data),
      s.stepIndex,
      s.phase,
      s.attempt,
      s.awaitingMessageId,
      s.deadlineAt,
      s.stepStartedAt,
      s.reason,
      s.cancelled,
      s.endedAt,
      traceparent ?? null,
    );
    if (rows.length === 0) throw new SagaConcurrencyError(s.id, s.version);
    return rows[0].version;
  },

  async appendLog(tx: SagaTransaction, sagaId: string, entries: readonly SagaLogEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const values: unknown[] = [];
    const tuples = entries.map((e) => {
      values.push(
        sagaId,
        e.at,
        e.step,
        e.attempt,
        e.messageType,
        e.messageId,
        e.direction,
        e.outcome.slice(0, 200),
        e.traceId ?? null,
      );
      const b = values.length - 9;
      return `($${b + 1}::uuid, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6}, $${b + 7}, $${b + 8}, $${b + 9})`;
    });
    await tx.$executeRawUnsafe(
      `INSERT INTO saga_transition (saga_id, at, step, attempt, message_type, message_id, direction, outcome, trace_id)
       VALUES ${tuples.join(', ')}`,
      ...values,
    );
  },

  /**
   * One in-flight saga past its deadline, locked; sagas locked by another sweeper (or by a reply being
   * handled) are skipped, so several instances sweep side by side without waiting on each other. With
   * it the trace of its last transition: what the sweep does for it belongs to that trace.
   */
  async claimDue(
    tx: SagaTransaction,
    now: Date,
  ): Promise<{ state: SagaState; traceparent: string | undefined } | undefined> {
    const rows = await tx.$queryRawUnsafe<Array<Row & { traceparent: string | null }>>(
      `SELECT ${COLUMNS}, traceparent FROM saga_instance
       WHERE status IN ('RUNNING', 'COMPENSATING') AND deadline_at <= $1
       ORDER BY deadline_at LIMIT 1 FOR UPDATE SKIP LOCKED`,
      now,
    );
    const row = rows[0];
    return row ? { state: stateOf(row), traceparent: row.traceparent ?? undefined } : undefined;
  },

  async list(db: SagaTransaction, filter: SagaListFilter): Promise<SagaState[]> {
    const where: string[] = [];
    const values: unknown[] = [];
    if (filter.status) where.push(`status = $${values.push(filter.status)}::saga_status`);
    if (filter.type) where.push(`type = $${values.push(filter.type)}`);
    if (filter.olderThanMs !== undefined)
      where.push(`started_at <= now() - make_interval(secs => $${values.push(filter.olderThanMs / 1000)})`);
    const rows = await db.$queryRawUnsafe<Row[]>(
      `SELECT ${COLUMNS} FROM saga_instance ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY started_at DESC LIMIT $${values.push(filter.limit)}`,
      ...values,
    );
    return rows.map(stateOf);
  },

  async timeline(db: SagaTransaction, sagaId: string): Promise<SagaLogEntry[]> {
    const rows = await db.$queryRawUnsafe<
      Array<{
        at: Date;
        step: string;
        attempt: number;
        message_type: string;
        message_id: string;
        direction: SagaLogEntry['direction'];
        outcome: string;
        trace_id: string | null;
      }>
    >(
      `SELECT at, step, attempt, message_type, message_id, direction, outcome, trace_id
       FROM saga_transition WHERE saga_id = $1::uuid ORDER BY id`,
      sagaId,
    );
    return rows.map((r) => ({
      at: r.at,
      step: r.step,
      attempt: r.attempt,
      messageType: r.message_type,
      messageId: r.message_id,
      direction: r.direction,
      outcome: r.outcome,
      ...(r.trace_id ? { traceId: r.trace_id } : {}),
    }));
  },

  /** In-flight and stuck counts per saga type, for the gauges. */
  async gauges(
    db: SagaTransaction,
    stuckAfterMs: number,
  ): Promise<Array<{ type: string; inFlight: number; stuck: number }>> {
    return db.$queryRawUnsafe(
      `SELECT type, count(*)::int AS "inFlight",
              (count(*) FILTER (WHERE deadline_at < now() - make_interval(secs => $1)))::int AS stuck
       FROM saga_instance WHERE status IN ('RUNNING', 'COMPENSATING') GROUP BY type`,
      stuckAfterMs / 1000,
    );
  },
};
