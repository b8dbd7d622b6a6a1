import { type ArgumentsHost, Catch, HttpStatus, Logger } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { type Observable, throwError } from 'rxjs';

/**
 * "No database connection in time", which means the service is saturated, not that the request is
 * wrong, and nothing of it was committed:
 * - Prisma P2028: an interactive transaction could not start within its `maxWait` (or outlived its
 *   `timeout` and was rolled back); P2024: Prisma's own pool timed out (query-engine setups);
 * - a query outside a transaction that waited `connectionTimeoutMillis` for the pg pool of the driver
 *   adapter: Prisma passes pg-pool's error through as it is, and pg-pool gives it no code, only this
 *   message (pg-pool/index.js).
 */
const BusyCodes = new Set(['P2024', 'P2028']);
const PgPoolTimeoutMessage = 'timeout exceeded when trying to connect';

/** Seconds a client is told to wait before trying again (`Retry-After`). */
const RetryAfterSeconds = 1;

/** What this filter uses of the platform's response (Express's, under @nestjs/platform-express). */
interface HttpResponse {
  status(code: number): HttpResponse;
  setHeader(name: string, value: string): HttpResponse;
  json(body: unknown): void;
}

export function isDatabaseBusy(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return (typeof code === 'string' && BusyCodes.has(code)) || message === PgPoolTimeoutMessage;
}

/**
 * Answers an HTTP request that failed for want of a database connection with 503 and `Retry-After`,
 * instead of a 500 that says the service is broken: under overload a client (or load balancer) should
 * back off and retry. With an `Idempotency-Key` the retry is safe. Other errors get Nest's own
 * handling (BaseExceptionFilter). Only HTTP: a message handler's error is handed on unchanged to the
 * messaging layer, which retries it through the retry queues.
 */
@Catch()
export class DatabaseBusyFilter extends BaseExceptionFilter {
  private readonly logger = new Logger('DatabaseBusyFilter');

  override catch(exception: unknown, host: ArgumentsHost): void | Observable<never> {
    if (host.getType() !== 'http') return throwError(() => exception);
    if (!isDatabaseBusy(exception)) return super.catch(exception, host);
    const response = host.switchToHttp().getResponse<HttpResponse>();
    this.logger.warn(`answered 503: no database connection in time (${(exception as Error).message})`);
    response.status(HttpStatus.SERVICE_UNAVAILABLE).setHeader('Retry-After', String(RetryAfterSeconds)).json({
      statusCode: HttpStatus.SERVICE_UNAVAILABLE,
      message: 'the service is busy: try again shortly',
    });
  }
}
