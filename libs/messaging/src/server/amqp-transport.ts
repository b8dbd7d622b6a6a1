/** Nest transport id of AmqpServer: `@Handles` methods bind to this transport only. */
export const AMQP_TRANSPORT = Symbol('orderly-amqp');

/** Key of the handled contract in a handler's Nest `extras` (set by `@Handles`, read by AmqpServer). */
export const HANDLED_CONTRACT = 'orderly:handled-contract';
