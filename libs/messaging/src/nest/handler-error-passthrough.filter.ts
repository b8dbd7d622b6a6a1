import { Catch, type RpcExceptionFilter } from '@nestjs/common';
import { type Observable, throwError } from 'rxjs';

/**
 * Hands a handler's error to AmqpServer unchanged. Nest's built-in RPC exception filter logs an unknown
 * error and replaces it with `{ status: 'error', message: 'Internal server error' }`, which would make every
 * failure look alike: a `NonRetryableMessageError` must stay one, and the dead letter records the real
 * message. The server logs each failure once, with the message id.
 */
@Catch()
export class HandlerErrorPassthroughFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}
