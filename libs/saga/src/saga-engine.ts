import type { Message, MessageContract } from '@orderly/contracts';
import type { SagaDefinition, StepDefinition } from './define-saga';
import type { SagaSettings } from './saga-settings';
import { isTerminal, type SagaLogEntry, type SagaState } from './saga-state';

/**
 * The saga engine's transitions, as pure functions: (definition, state, event, clock) → new state, the
 * messages to write to the outbox and the lines of the timeline. No I/O: the runtime (saga-runtime.ts)
 * loads the state, applies one of these and writes the result in one transaction.
 */

export interface EngineContext {
  now: Date;
  newId: () => string;
  /** CloudEvents `source` of the messages the saga sends. */
  source: string;
  settings: Pick<SagaSettings, 'stepTimeoutMs' | 'stepMaxAttempts' | 'compensationMaxAttempts'>;
}

export interface OutgoingMessage {
  contract: MessageContract;
  message: Message;
}

export type StepOutcome = 'succeeded' | 'failed' | 'timed_out';
export type SagaOutcome = 'completed' | 'compensated' | 'failed';

export interface Transition<D> {
  state: SagaState<D>;
  /** Commands and events to add to the outbox, in this order. */
  outgoing: OutgoingMessage[];
  log: Omit<SagaLogEntry, 'traceId'>[];
  /** Steps (or compensations, `<step>:compensate`) that ended here, for the step-duration metric. */
  stepsFinished: { step: string; outcome: StepOutcome; seconds: number }[];
  /** Set when the saga reached a terminal state in this transition. */
  ended?: SagaOutcome;
}

/** Why an event changed nothing; the runtime acknowledges the message and writes nothing. */
export interface Ignored {
  ignored: string;
}

export type Result<D> = Transition<D> | Ignored;
export const isIgnored = <D>(result: Result<D>): result is Ignored => 'ignored' in result;

/** A reply as the engine sees it: its type, its own id, the command it answers, its body. */
export type Reply = Pick<Message, 'id' | 'type' | 'causationId' | 'data'>;

/** Name of the step or compensation a state is at, as shown in the timeline and metrics. */
export function stepLabel<D>(
  definition: SagaDefinition<D>,
  state: Pick<SagaState, 'stepIndex' | 'phase'>,
): string {
  const name = definition.steps[state.stepIndex]?.name ?? `#${state.stepIndex}`;
  return state.phase === 'compensation' ? `${name}:compensate` : name;
}

/** A new saga: persisted RUNNING with its first command. */
export function startSaga<D>(
  definition: SagaDefinition<D>,
  id: string,
  data: D,
  ctx: EngineContext,
): Transition<D> {
  const state: SagaState<D> = {
    id,
    type: definition.name,
    status: 'RUNNING',
    data,
    stepIndex: 0,
    phase: 'forward',
    attempt: 0,
    awaitingMessageId: null,
    deadlineAt: null,
    stepStartedAt: ctx.now,
    reason: null,
    cancelled: false,
    version: 0,
    startedAt: ctx.now,
    endedAt: null,
  };
  const t = blank(state);
  sendCurrent(definition, t, ctx, 'sent');
  return t;
}

/** A reply arrived on the saga's reply queue. */
export function onReply<D>(
  definition: SagaDefinition<D>,
  state: SagaState<D>,
  reply: Reply,
  ctx: EngineContext,
): Result<D> {
  if (isTerminal(state.status)) return { ignored: `saga is ${state.status}` };
  if (!reply.causationId || reply.causationId !== state.awaitingMessageId) {
    return { ignored: 'not a reply to the command the saga waits for (duplicate, late or foreign)' };
  }
  const current = definition.steps[state.stepIndex];
  const t = blank(state);
  const seconds = elapsed(state.stepStartedAt, ctx.now);
  const label = stepLabel(definition, state);
  const received = (outcome: string) =>
    t.log.push({
      at: ctx.now,
      step: label,
      attempt: state.attempt,
      messageType: reply.type,
      messageId: reply.id,
      direction: 'received',
      outcome,
    });

  if (state.phase === 'compensation') {
    if (!current.compensate?.done.some((c) => c.type === reply.type))
      return { ignored: `${reply.type} does not end ${label}` };
    received('compensated');
    t.stepsFinished.push({ step: label, outcome: 'succeeded', seconds });
    compensateFrom(definition, t, state.stepIndex - 1, ctx);
    return t;
  }

  const outcome = current.replies[reply.type];
  if (outcome === undefined) return { ignored: `${reply.type} is not a reply of ${label}` };
  if (outcome === 'next') {
    received('succeeded');
    t.stepsFinished.push({ step: label, outcome: 'succeeded', seconds });
    if (state.stepIndex + 1 < definition.steps.length) {
      enter(t, state.stepIndex + 1, 'forward', ctx);
      sendCurrent(definition, t, ctx, 'sent');
    } else {
      finish(definition, t, 'COMPLETED', ctx);
    }
    return t;
  }
  // Refused: this step took no effect, so only the steps before it are undone.
  const reason = truncate(outcome.reject({ ...reply, causationId: reply.causationId } as Message));
  received(`rejected: ${reason}`);
  t.stepsFinished.push({ step: label, outcome: 'failed', seconds });
  t.state.reason = reason;
  compensateFrom(definition, t, state.stepIndex - 1, ctx);
  return t;
}

/** The sweeper found the saga past its deadline: re-send, or give up on the step. */
export function onDeadline<D>(
  definition: SagaDefinition<D>,
  state: SagaState<D>,
  ctx: EngineContext,
): Result<D> {
  if (isTerminal(state.status)) return { ignored: `saga is ${state.status}` };
  if (!state.deadlineAt || state.deadlineAt.getTime() > ctx.now.getTime())
    return { ignored: 'deadline not reached' };
  const current = definition.steps[state.stepIndex];
  const t = blank(state);
  const label = stepLabel(definition, state);
  if (state.attempt < maxAttemptsOf(current, state.phase, ctx)) {
    sendCurrent(definition, t, ctx, 'resent after deadline', state.attempt + 1);
    return t;
  }
  t.stepsFinished.push({ step: label, outcome: 'timed_out', seconds: elapsed(state.stepStartedAt, ctx.now) });
  if (state.phase === 'forward' && current.compensate) {
    // The step's effect is unknown: undo it too (participants refuse a late command after its undo).
    t.state.reason = current.timedOut ?? `${current.name} timed out`;
    compensateFrom(definition, t, state.stepIndex, ctx);
    return t;
  }
  // Past the point of no return, or a compensation that never answers: an operator must look.
  const why = `no reply to ${label} after ${state.attempt} attempts`;
  if (state.phase === 'forward') t.state.reason = why;
  fail(definition, t, why, ctx);
  return t;
}

/** Cancelling is possible while the saga runs a step that can be undone. */
export function cancelSaga<D>(
  definition: SagaDefinition<D>,
  state: SagaState<D>,
  reason: string,
  ctx: EngineContext,
): Result<D> {
  if (state.status !== 'RUNNING') return { ignored: `saga is ${state.status}` };
  const current = definition.steps[state.stepIndex];
  if (!current.compensate) return { ignored: `saga is past the point of no return (${current.name})` };
  const t = blank(state);
  t.state.cancelled = true;
  t.state.reason = truncate(reason);
  compensateFrom(definition, t, state.stepIndex, ctx);
  return t;
}

/** An operator retries a FAILED saga: the step (or compensation) it stopped at is sent again. */
export function retrySaga<D>(
  definition: SagaDefinition<D>,
  state: SagaState<D>,
  ctx: EngineContext,
): Result<D> {
  if (state.status !== 'FAILED') return { ignored: `saga is ${state.status}, not FAILED` };
  const t = blank(state);
  t.state.status = state.phase === 'forward' ? 'RUNNING' : 'COMPENSATING';
  t.state.endedAt = null;
  enter(t, state.stepIndex, state.phase, ctx);
  sendCurrent(definition, t, ctx, 'resent by operator');
  return t;
}

// ---- internals -------------------------------------------------------------------------------------

function blank<D>(state: SagaState<D>): Transition<D> {
  return { state: { ...state }, outgoing: [], log: [], stepsFinished: [] };
}

function enter<D>(t: Transition<D>, index: number, phase: SagaState['phase'], ctx: EngineContext): void {
  t.state.stepIndex = index;
  t.state.phase = phase;
  t.state.attempt = 0;
  t.state.stepStartedAt = ctx.now;
}

function maxAttemptsOf(step: StepDefinition<unknown>, phase: SagaState['phase'], ctx: EngineContext): number {
  return phase === 'forward'
    ? (step.maxAttempts ?? ctx.settings.stepMaxAttempts)
    : ctx.settings.compensationMaxAttempts;
}

/** Sends the command of the current step (or its compensation) as attempt `attempt`. */
function sendCurrent<D>(
  definition: SagaDefinition<D>,
  t: Transition<D>,
  ctx: EngineContext,
  outcome: string,
  attempt = 1,
): void {
  const s = t.state;
  const current = definition.steps[s.stepIndex];
  const undo = compensationOf(current, s);
  const outgoing = undo
    ? message(undo.send.contract, undo.send.build(s.data, s.reason ?? ''), s, ctx)
    : message(current.send.contract, current.send.build(s.data), s, ctx);
  s.attempt = attempt;
  s.awaitingMessageId = outgoing.message.id;
  s.deadlineAt = new Date(ctx.now.getTime() + (current.deadlineMs ?? ctx.settings.stepTimeoutMs));
  t.outgoing.push(outgoing);
  t.log.push({
    at: ctx.now,
    step: stepLabel(definition, s),
    attempt,
    messageType: outgoing.contract.type,
    messageId: outgoing.message.id,
    direction: 'sent',
    outcome,
  });
}

/** Undoes the steps from `index` down to 0 that can be undone, one at a time, last first. */
function compensateFrom<D>(
  definition: SagaDefinition<D>,
  t: Transition<D>,
  index: number,
  ctx: EngineContext,
): void {
  let i = index;
  while (i >= 0 && !definition.steps[i].compensate) i -= 1;
  if (i < 0) {
    finish(definition, t, 'COMPENSATED', ctx);
    return;
  }
  t.state.status = 'COMPENSATING';
  enter(t, i, 'compensation', ctx);
  sendCurrent(definition, t, ctx, `compensating: ${t.state.reason ?? 'compensate'}`);
}

function finish<D>(
  definition: SagaDefinition<D>,
  t: Transition<D>,
  status: 'COMPLETED' | 'COMPENSATED',
  ctx: EngineContext,
): void {
  const s = t.state;
  s.status = status;
  s.awaitingMessageId = null;
  s.deadlineAt = null;
  s.endedAt = ctx.now;
  t.ended = status === 'COMPLETED' ? 'completed' : 'compensated';
  const events =
    status === 'COMPLETED'
      ? (definition.completed?.(s.data) ?? [])
      : (definition.compensated?.(s.data, { reason: s.reason ?? 'compensated', cancelled: s.cancelled }) ??
        []);
  for (const e of events) {
    const outgoing = message(e.contract, e.data, s, ctx);
    t.outgoing.push(outgoing);
    t.log.push({
      at: ctx.now,
      step: status === 'COMPLETED' ? 'completed' : 'compensated',
      attempt: 1,
      messageType: e.contract.type,
      messageId: outgoing.message.id,
      direction: 'sent',
      outcome: status.toLowerCase(),
    });
  }
}

function fail<D>(definition: SagaDefinition<D>, t: Transition<D>, why: string, ctx: EngineContext): void {
  const s = t.state;
  const current = definition.steps[s.stepIndex];
  const contract = (compensationOf(current, s)?.send ?? current.send).contract;
  t.log.push({
    at: ctx.now,
    step: stepLabel(definition, s),
    attempt: s.attempt,
    messageType: contract.type,
    messageId: s.awaitingMessageId ?? '',
    direction: 'sent',
    outcome: `failed: ${why}`,
  });
  s.status = 'FAILED';
  s.awaitingMessageId = null;
  s.deadlineAt = null;
  s.endedAt = ctx.now;
  t.ended = 'failed';
}

/** The compensation being run, or undefined in the forward phase (only steps with one are ever compensated). */
function compensationOf<D>(step: StepDefinition<D>, s: SagaState<D>): StepDefinition<D>['compensate'] {
  return s.phase === 'compensation' ? step.compensate : undefined;
}

function message(
  contract: MessageContract,
  data: unknown,
  s: SagaState,
  ctx: EngineContext,
): OutgoingMessage {
  return {
    contract,
    message: contract.create(data, {
      id: ctx.newId(),
      time: ctx.now,
      source: ctx.source,
      subject: s.id,
      correlationId: s.id,
    }),
  };
}

const elapsed = (from: Date, to: Date): number => Math.max(0, (to.getTime() - from.getTime()) / 1000);
const truncate = (text: string): string => (text.length > 200 ? `${text.slice(0, 197)}...` : text);
