import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { context } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import type { Observable } from 'rxjs';
import { routePatternOf } from '../metrics/http-metrics.middleware';

/**
 * Names an HTTP server span after the route that matched, `POST /orders` rather than `POST`, and sets
 * `http.route`, as the OpenTelemetry HTTP conventions ask: that name is what one searches for in Jaeger
 * or Tempo. The http instrumentation sees only the raw request; Express's instrumentation would tell it
 * the route through the request context's RPC metadata, but we do not patch Express (auto-instrumentation
 * stays narrow), so Nest, which knows the route of the handler it calls, tells it the same way. The
 * instrumentation reads it when the response finishes.
 */
@Injectable()
export class HttpRouteInterceptor implements NestInterceptor {
  intercept(execution: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (execution.getType() === 'http') {
      const metadata = getRPCMetadata(context.active());
      const route = routePatternOf(execution.switchToHttp().getRequest());
      if (metadata?.type === RPCType.HTTP && route !== undefined) metadata.route = route;
    }
    return next.handle();
  }
}
