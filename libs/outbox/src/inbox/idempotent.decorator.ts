import { applyDecorators, SetMetadata, UseInterceptors } from '@nestjs/common';
import { INBOX_CONSUMER, InboxInterceptor } from './inbox.interceptor';

export interface IdempotentOptions {
  /**
   * The name the inbox records this handler under. Default: `<queue>#<Class>.<method>`; set a name
   * to keep deduplicating across a rename of the class or method.
   */
  consumer?: string;
}

/**
 * Makes a message handler idempotent through the inbox: its effects and the record "this message was
 * handled by this handler" commit in one transaction, which the handler takes with `@Transaction()`;
 * a redelivery is acknowledged without running it.
 *
 * ```ts
 * @Handles(ReserveStock)
 * @Idempotent()
 * async reserve(@Payload() command: ReserveStock, @Transaction() tx: Prisma.TransactionClient): Promise<void> {
 *   await this.reservations.reserve(tx, command.data);
 *   await this.outbox.add(tx, StockReserved, StockReserved.create(…, { causationId: command.id }));
 * }
 * ```
 *
 * Everything the handler does to the database must go through `tx`: a write on another connection
 * is not part of the transaction and would happen again on a redelivery.
 */
export function Idempotent(options: IdempotentOptions = {}): MethodDecorator {
  return applyDecorators(
    ...(options.consumer ? [SetMetadata(INBOX_CONSUMER, options.consumer)] : []),
    UseInterceptors(InboxInterceptor),
  );
}
