import { randomUUID } from 'node:crypto';
import { z } from 'zod';

export type MessageKind = 'event' | 'command' | 'reply';

/**
 * One message the services exchange: its CloudEvents `type` (also the routing key), schema version,
 * the exchange it is published to, and the zod schema of its JSON body. Producers and consumers import
 * the same constant; nobody writes the type string anywhere else.
 */
export interface MessageContract<K extends MessageKind = MessageKind, S extends z.ZodType = z.ZodType> {
  readonly kind: K;
  readonly type: string;
  readonly version: number;
  /** Exchange the message is published to (routing key = `type`). */
  readonly exchange: string;
  readonly schema: S;
  /** Builds a message ready to publish, validating the body now rather than at the consumer. */
  create(data: z.input<S>, meta: MessageMeta): Message<z.output<S>>;
}

/** Who sends it and why: the attributes a producer chooses; the rest is filled in. */
export interface MessageMeta {
  /** CloudEvents `source`: the producing service, e.g. `/orderly/order-service`. */
  source: string;
  /** CloudEvents `subject`: the aggregate the message is about (order id, reservation id). */
  subject?: string;
  /** The business transaction this belongs to (the order / saga id). Defaults to the message id. */
  correlationId?: string;
  /** Id of the message whose handling produced this one. */
  causationId?: string;
  id?: string;
  time?: Date;
}

/** A CloudEvents 1.0 event; transported in binary mode (attributes in AMQP properties and headers). */
export interface Message<T = unknown> {
  id: string;
  type: string;
  version: number;
  source: string;
  subject?: string;
  time: Date;
  correlationId: string;
  causationId?: string;
  /** W3C trace context, filled in by the transport's tracing hook when a span is active. */
  traceparent?: string;
  tracestate?: string;
  data: T;
}

export type MessageOf<C> = C extends MessageContract<MessageKind, infer S> ? Message<z.output<S>> : never;
export type DataOf<C> = C extends MessageContract<MessageKind, infer S> ? z.output<S> : never;

interface ContractSpec<S extends z.ZodType> {
  type: string;
  version: number;
  exchange: string;
  schema: S;
}

const TYPE_PATTERN = /^[a-z]+\.[a-z][a-z0-9-]*$/;

function defineMessage<K extends MessageKind, S extends z.ZodType>(kind: K, spec: ContractSpec<S>): MessageContract<K, S> {
  if (!TYPE_PATTERN.test(spec.type)) {
    throw new Error(`message type "${spec.type}" must read <context>.<kebab-name>`);
  }
  return Object.freeze({
    kind,
    ...spec,
    create(data: z.input<S>, meta: MessageMeta): Message<z.output<S>> {
      const id = meta.id ?? randomUUID();
      return {
        id,
        type: spec.type,
        version: spec.version,
        source: meta.source,
        subject: meta.subject,
        time: meta.time ?? new Date(),
        correlationId: meta.correlationId ?? id,
        causationId: meta.causationId,
        data: spec.schema.parse(data),
      };
    },
  });
}

/** Something that happened (past tense), published to its context's topic exchange. */
export const defineEvent = <S extends z.ZodType>(spec: ContractSpec<S>) => defineMessage('event', spec);
/** A request to one context (imperative), published `mandatory` to its direct exchange. */
export const defineCommand = <S extends z.ZodType>(spec: ContractSpec<S>) => defineMessage('command', spec);
/** The answer to a command, routed back to the requester's reply queue. */
export const defineReply = <S extends z.ZodType>(spec: ContractSpec<S>) => defineMessage('reply', spec);
