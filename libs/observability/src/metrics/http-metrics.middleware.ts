import type { IncomingMessage, ServerResponse } from 'node:http';
import { defineHistogram } from './metrics-registry';
import { OrderlyMetrics } from './orderly-metrics';

/** `route` of requests no handler matched (404s, scanners): their paths would be unbounded label values. */
export const UNMATCHED_ROUTE = 'unmatched';

type Request = IncomingMessage & { route?: { path?: unknown }; baseUrl?: string };

/**
 * Records `http_server_request_duration_seconds{method, route, status_code}` for every request when its
 * response is done (or the client went away). A middleware rather than an interceptor: it also sees
 * requests that never reach a handler (404, guards, body-parser errors). `route` is the matched route
 * pattern (`/orders/:id`), never the raw path. `/metrics` itself is not recorded (a scrape every few
 * seconds would dominate the numbers).
 */
export function httpMetricsMiddleware() {
  const duration = defineHistogram(OrderlyMetrics.httpRequestDuration);
  return (req: Request, res: ServerResponse, next: () => void): void => {
    const started = process.hrtime.bigint();
    // Nest may mount this middleware as an Express route of its own (`/*path`): only a route set
    // after it ran is the handler's.
    const mountedAs = req.route;
    res.once('close', () => {
      const route = (req.route !== mountedAs && routePatternOf(req)) || UNMATCHED_ROUTE;
      if (route === '/metrics') return;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      duration.observe(
        { method: req.method ?? 'UNKNOWN', route, status_code: String(res.statusCode) },
        seconds,
      );
    });
    next();
  };
}

/** The pattern of the route that matched the request (`/orders/:id`); undefined before one matched. */
export function routePatternOf(req: Request): string | undefined {
  // Express sets `req.route` once a route matched; Nest registers each handler as one route.
  const path = req.route?.path;
  if (typeof path !== 'string') return undefined;
  return `${req.baseUrl ?? ''}${path}` || '/';
}
