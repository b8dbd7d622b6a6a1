import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { MessageContext } from '@orderly/messaging';
import { from, lastValueFrom, map, type Observable } from 'rxjs';
import { HandlerTransactions } from './handler-transactions';
import { Inbox } from './inbox';

/** Metadata key of the consumer name given to `@Idempotent({ consumer })`. */
export const INBOX_CONSUMER = 'orderly:inbox-consumer';

/**
 * Runs a `@Handles` method inside the inbox (see `@Idempotent()`): the handler's effects and the inbox
 * row commit together; a duplicate delivery resolves without calling the handler, so the transport
 * acknowledges it. A handler that throws rolls everything back and the transport's failure handling
 * (dead-lettering, retries) takes over as without the inbox.
 */
@Injectable()
export class InboxInterceptor implements NestInterceptor {
  constructor(
    private readonly inbox: Inbox,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const delivery = context.switchToRpc().getContext<unknown>();
    if (!(delivery instanceof MessageContext)) {
      throw new TypeError(`@Idempotent() on ${handlerName(context)}: the inbox wraps @Handles message handlers only`);
    }
    const consumer =
      this.reflector.get<string | undefined>(INBOX_CONSUMER, context.getHandler()) ?? `${delivery.queue}#${handlerName(context)}`;
    const run = this.inbox.handle(delivery.message, consumer, async (tx) => {
      HandlerTransactions.set(context, tx);
      try {
        return await lastValueFrom(next.handle(), { defaultValue: undefined });
      } finally {
        HandlerTransactions.delete(context);
      }
    });
    return from(run).pipe(map((outcome) => (outcome.duplicate ? undefined : outcome.result)));
  }
}

function handlerName(context: ExecutionContext): string {
  return `${context.getClass().name}.${context.getHandler().name}`;
}
