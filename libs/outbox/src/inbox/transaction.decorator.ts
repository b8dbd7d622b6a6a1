import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { InboxTransactionMissingError } from '../errors/inbox-transaction-missing.error';
import { HandlerTransactions } from './handler-transactions';

/**
 * The handler's transaction, opened by the inbox (`@Idempotent()`): the service's Prisma transaction
 * client. Declare the parameter with the service's own type, e.g. `@Transaction() tx: Prisma.TransactionClient`.
 * As with any parameter decorator, take the message with `@Payload()` too.
 */
export const Transaction = createParamDecorator((_data: unknown, context: ExecutionContext): unknown => {
  const tx = HandlerTransactions.get(context);
  if (tx === undefined) throw new InboxTransactionMissingError(`${context.getClass().name}.${context.getHandler().name}`);
  return tx;
});
