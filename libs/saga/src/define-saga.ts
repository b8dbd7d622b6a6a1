import type { DataOf, MessageContract, MessageOf } from '@orderly/contracts';
import type { z } from 'zod';

/** A message a saga sends: its contract and its body, built from the saga's data. */
export interface Outgoing<D, A extends unknown[] = []> {
  readonly contract: MessageContract;
  build(data: D, ...args: A): unknown;
}

/** `send(ReserveStock, (o) => ({ orderId: o.orderId, lines: o.lines }))`: typed by the contract. */
export function send<D, C extends MessageContract, A extends unknown[] = []>(
  contract: C,
  build: (data: D, ...args: A) => z.input<C['schema']>,
): Outgoing<D, A> {
  return { contract, build };
}

/** The reply moved the step forward: run the next step (or complete). */
export const next = 'next' as const;

/** The participant refused: this step took no effect, so compensate the steps before it. */
export interface Reject {
  readonly reject: (reply: MessageOf<MessageContract>) => string;
}

export function reject<C extends MessageContract>(
  _contract: C,
  reason: (reply: { data: DataOf<C> }) => string,
): Reject {
  return { reject: reason as Reject['reject'] };
}

export type ReplyOutcome = typeof next | Reject;

export interface StepDefinition<D> {
  readonly name: string;
  /** The command this step sends (re-sent as is after a deadline: participants are idempotent). */
  readonly send: Outgoing<D>;
  /** Reply type → what it does. Any other reply type is ignored. */
  readonly replies: Readonly<Record<string, ReplyOutcome>>;
  /**
   * How to undo this step, with the reply types that mean "undone". A step without one is past the
   * point of no return: it is retried, and if it never answers the saga fails (needs an operator).
   */
  readonly compensate?: {
    readonly send: Outgoing<D, [reason: string]>;
    readonly done: readonly MessageContract[];
  };
  /** Reason recorded when the step's attempts run out (default `<name> timed out`). */
  readonly timedOut?: string;
  /** Overrides of the saga settings for this step. */
  readonly deadlineMs?: number;
  readonly maxAttempts?: number;
}

export interface SagaEnd {
  reason: string;
  /** True when the saga compensated because it was cancelled (not because a step failed). */
  cancelled: boolean;
}

export interface SagaDefinition<D> {
  readonly name: string;
  readonly steps: readonly StepDefinition<D>[];
  /** Events published (through the outbox) when every step succeeded. */
  readonly completed?: (data: D) => ReadonlyArray<Emit>;
  /** Events published when every compensation is done. */
  readonly compensated?: (data: D, end: SagaEnd) => ReadonlyArray<Emit>;
}

/** An event a saga publishes when it ends. */
export interface Emit {
  readonly contract: MessageContract;
  readonly data: unknown;
}

export function emit<C extends MessageContract>(contract: C, data: z.input<C['schema']>): Emit {
  return { contract, data };
}

export function step<D>(name: string, spec: Omit<StepDefinition<D>, 'name'>): StepDefinition<D> {
  return { name, ...spec };
}

/** Checks a definition once, at declaration: a mistake here would otherwise surface mid-saga. */
export function defineSaga<D>(definition: SagaDefinition<D>): SagaDefinition<D> {
  if (definition.steps.length === 0) throw new Error(`saga ${definition.name} has no steps`);
  const names = new Set<string>();
  for (const s of definition.steps) {
    if (names.has(s.name)) throw new Error(`saga ${definition.name} declares step ${s.name} twice`);
    names.add(s.name);
    if (Object.keys(s.replies).length === 0)
      throw new Error(`step ${definition.name}/${s.name} handles no reply`);
    if (s.compensate && s.compensate.done.length === 0) {
      throw new Error(`compensation of ${definition.name}/${s.name} has no reply meaning done`);
    }
  }
  return Object.freeze({ ...definition, steps: Object.freeze([...definition.steps]) });
}

/** Every reply type a saga's steps and compensations wait for (the reply handler must cover them). */
export function replyTypesOf<D>(definition: SagaDefinition<D>): string[] {
  const types = new Set<string>();
  for (const s of definition.steps) {
    for (const type of Object.keys(s.replies)) types.add(type);
    for (const contract of s.compensate?.done ?? []) types.add(contract.type);
  }
  return [...types];
}
