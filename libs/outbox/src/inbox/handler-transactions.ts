import type { ExecutionContext } from '@nestjs/common';

/**
 * The transaction the inbox opened for a delivery, keyed by the delivery's context object (messaging's
 * MessageContext, one per delivery): set by InboxInterceptor around the handler, read by `@Transaction()`.
 * A WeakMap rather than a field on the context, which belongs to libs/messaging.
 */
const transactions = new WeakMap<object, unknown>();

export const HandlerTransactions = {
  set(context: ExecutionContext, tx: unknown): void {
    transactions.set(keyOf(context), tx);
  },
  get(context: ExecutionContext): unknown {
    return transactions.get(keyOf(context));
  },
  delete(context: ExecutionContext): void {
    transactions.delete(keyOf(context));
  },
};

function keyOf(context: ExecutionContext): object {
  const rpcContext: unknown = context.switchToRpc().getContext();
  if (typeof rpcContext !== 'object' || rpcContext === null) {
    throw new TypeError('the inbox wraps message handlers only (no message context on this call)');
  }
  return rpcContext;
}
