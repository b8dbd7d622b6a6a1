import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Message } from '@orderly/contracts';
import {
  annotateSagaSpan,
  continueTrace,
  currentTraceContext,
  sagaMetricsRecorder,
  type SagaMetricsRecorder,
} from '@orderly/observability';
import { OutboxWriter } from '@orderly/outbox';
import type { SagaDefinition } from './define-saga';
import { SagaNotFoundError } from './errors/saga-not-found.error';
import { SagaTransitionRefusedError } from './errors/saga-transition-refused.error';
import {
  cancelSaga,
  type EngineContext,
  isIgnored,
  onDeadline,
  onReply,
  retrySaga,
  type Result,
  startSaga,
  stepLabel,
  type Transition,
} from './saga-engine';
import { type ResolvedSagaOptions, SAGA_OPTIONS } from './saga-options';
import type { SagaLogEntry, SagaState } from './saga-state';
import type { SagaTransaction } from './store/saga-database';
import { type SagaListFilter, SagaStore } from './store/saga-store';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A saga instance with its timeline, as the operator API and the order API show it. */
export interface SagaView extends SagaState {
  step: string;
  timeline: SagaLogEntry[];
}

/**
 * Runs the pure transitions of saga-engine.ts against the store: each one reads the instance (locked),
 * applies the transition, and writes the new state (version-checked), its timeline lines and its
 * outgoing messages (outbox) in one transaction.
 */
@Injectable()
export class SagaRuntime {
  private readonly logger = new Logger('Saga');
  private readonly definitions: Map<string, SagaDefinition<unknown>>;
  private readonly metrics: SagaMetricsRecorder;

  constructor(
    @Inject(SAGA_OPTIONS) private readonly options: ResolvedSagaOptions,
    private readonly outbox: OutboxWriter,
  ) {
    this.definitions = new Map(options.definitions.map((d) => [d.name, d as SagaDefinition<unknown>]));
    this.metrics = options.metrics ?? sagaMetricsRecorder();
  }

  /** Starts a saga inside the caller's transaction (e.g. with the order it is for). */
  async start<D>(
    tx: SagaTransaction,
    definition: SagaDefinition<D>,
    id: string,
    data: D,
  ): Promise<SagaState<D>> {
    this.definitionOf(definition.name);
    const t = startSaga(definition, id, data, this.context());
    await SagaStore.insert(tx, t.state, currentTraceContext()?.traceparent);
    await this.write(tx, definition as SagaDefinition<unknown>, undefined, t as Transition<unknown>, false);
    this.metrics.started(definition.name);
    return t.state;
  }

  /**
   * Applies a reply inside the handler's (inbox) transaction. Replies carry the saga id as their
   * correlation id; one that answers no command the saga waits for changes nothing.
   */
  async handleReply(tx: SagaTransaction, reply: Message): Promise<'applied' | 'ignored'> {
    // Saga ids are UUIDs; anything else cannot be one of ours (and would fail the query's uuid cast).
    const state = UUID.test(reply.correlationId)
      ? await SagaStore.load(tx, reply.correlationId, true)
      : undefined;
    if (!state) {
      this.logger.warn(`reply ${reply.id} (${reply.type}) for unknown saga ${reply.correlationId}: ignored`);
      return 'ignored';
    }
    const definition = this.definitionOf(state.type);
    return this.apply(
      tx,
      definition,
      state,
      onReply(definition, state, reply, this.context()),
      `reply ${reply.type} ${reply.id}`,
    );
  }

  /** Compensates a running saga (e.g. the customer cancelled); refused once it is past the point of no return. */
  async cancel(id: string, reason: string, tx?: SagaTransaction): Promise<SagaState> {
    return this.act(
      id,
      'cancel',
      (definition, state) => cancelSaga(definition, state, reason, this.context()),
      tx,
    );
  }

  /** An operator's retry of a FAILED saga: the step or compensation it stopped at is sent again. */
  async retry(id: string): Promise<SagaState> {
    return this.act(id, 'retry', (definition, state) => retrySaga(definition, state, this.context()));
  }

  /**
   * Handles the sagas past their deadline as of `now`, one transaction each, at most `limit`; returns
   * how many changed. A saga re-sent in this pass has a deadline after `now`, so it is handled once.
   * `now` is the clock of the whole pass (tests pass a later one instead of waiting).
   */
  async sweepDue({
    now = new Date(),
    limit = this.options.sweepBatchSize,
  }: { now?: Date; limit?: number } = {}): Promise<number> {
    let changed = 0;
    for (let i = 0; i < limit; i++) {
      const outcome = await this.options.database.$transaction(async (tx) => {
        const due = await SagaStore.claimDue(tx, now);
        if (!due) return 'none';
        const { state } = due;
        const definition = this.definitionOf(state.type);
        // A re-send or compensation started by the deadline continues the order's trace.
        return continueTrace(due.traceparent, `saga ${state.type} deadline`, () =>
          this.apply(tx, definition, state, onDeadline(definition, state, this.context(now)), 'deadline'),
        );
      });
      if (outcome === 'none') break;
      if (outcome === 'applied') changed++;
    }
    return changed;
  }

  async find(id: string): Promise<SagaView | undefined> {
    const state = await SagaStore.load(this.options.database, id, false);
    if (!state) return undefined;
    const timeline = await SagaStore.timeline(this.options.database, id);
    return { ...state, step: this.labelOf(state), timeline };
  }

  async list(filter: SagaListFilter): Promise<Array<SagaState & { step: string }>> {
    const states = await SagaStore.list(this.options.database, filter);
    return states.map((s) => ({ ...s, step: this.labelOf(s) }));
  }

  /** Reads in-flight and stuck counts from the store into the gauges. */
  async reportGauges(): Promise<void> {
    const rows = await SagaStore.gauges(this.options.database, this.options.stuckAfterMs);
    for (const name of this.definitions.keys()) {
      const row = rows.find((r) => r.type === name);
      this.metrics.inFlight(name, row?.inFlight ?? 0);
      this.metrics.stuck(name, row?.stuck ?? 0);
    }
  }

  labelOf(state: SagaState): string {
    const definition = this.definitions.get(state.type);
    return definition ? stepLabel(definition, state) : String(state.stepIndex);
  }

  private async act(
    id: string,
    action: 'cancel' | 'retry',
    transition: (definition: SagaDefinition<unknown>, state: SagaState) => Result<unknown>,
    outer?: SagaTransaction,
  ): Promise<SagaState> {
    const run = async (tx: SagaTransaction): Promise<SagaState> => {
      const state = await SagaStore.load(tx, id, true);
      if (!state) throw new SagaNotFoundError(id);
      const definition = this.definitionOf(state.type);
      const result = transition(definition, state);
      if (isIgnored(result)) throw new SagaTransitionRefusedError(id, action, result.ignored);
      await this.apply(tx, definition, state, result, action);
      return { ...result.state, version: state.version + 1 };
    };
    return outer ? run(outer) : this.options.database.$transaction(run);
  }

  private async apply(
    tx: SagaTransaction,
    definition: SagaDefinition<unknown>,
    before: SagaState,
    result: Result<unknown>,
    cause: string,
  ): Promise<'applied' | 'ignored'> {
    if (isIgnored(result)) {
      this.logger.debug(`saga ${before.id}: ${cause} ignored (${result.ignored})`);
      return 'ignored';
    }
    await SagaStore.save(tx, result.state, currentTraceContext()?.traceparent);
    await this.write(tx, definition, before, result, true);
    return 'applied';
  }

  /** The transition's timeline lines, outgoing messages and the service's own update, in `tx`. */
  private async write(
    tx: SagaTransaction,
    definition: SagaDefinition<unknown>,
    before: SagaState | undefined,
    t: Transition<unknown>,
    record: boolean,
  ): Promise<void> {
    const traceId = currentTraceContext()?.traceparent?.split('-')[1];
    await SagaStore.appendLog(
      tx,
      t.state.id,
      t.log.map((line) => ({ ...line, ...(traceId ? { traceId } : {}) })),
    );
    for (const { contract, message } of t.outgoing) await this.outbox.add(tx, contract, message);
    await this.options.onTransition?.(tx, before, t.state);
    annotateSagaSpan({
      saga: definition.name,
      sagaId: t.state.id,
      step: stepLabel(definition, t.state),
      outcome: t.ended,
    });
    if (!record) return;
    // Recorded before the commit: a transaction that then rolls back counts once too often (rare,
    // and the message is redelivered), which is better than never counting a committed one.
    for (const s of t.stepsFinished) this.metrics.stepFinished(definition.name, s.step, s.outcome, s.seconds);
    if (t.ended) {
      const endedAt = t.state.endedAt ?? new Date();
      this.metrics.completed(
        definition.name,
        t.ended,
        (endedAt.getTime() - t.state.startedAt.getTime()) / 1000,
      );
    }
  }

  private definitionOf(name: string): SagaDefinition<unknown> {
    const definition = this.definitions.get(name);
    if (!definition) throw new Error(`saga ${name} is not registered with SagaModule`);
    return definition;
  }

  private context(now = new Date()): EngineContext {
    return { now, newId: randomUUID, source: this.options.source, settings: this.options };
  }
}
