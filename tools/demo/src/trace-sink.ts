import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

interface OtlpExport {
  resourceSpans?: Array<{
    resource?: { attributes?: Array<{ key: string; value: { stringValue?: string } }> };
    scopeSpans?: Array<{ spans?: Array<{ traceId: string }> }>;
  }>;
}

/**
 * Where the demo's services send their spans (OTLP/HTTP JSON, `POST /v1/traces`) when no collector is
 * running: it keeps, per trace, how many spans each service sent, so the summary can show that one
 * order is one trace across the services. The compose stack sends the same spans to Tempo instead.
 */
export class TraceSink {
  private readonly traces = new Map<string, Map<string, number>>();

  private constructor(private readonly server: Server) {}

  static async start(): Promise<TraceSink> {
    const server = createServer();
    const sink = new TraceSink(server);
    server.on('request', (req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        if (req.method !== 'POST' || req.url !== '/v1/traces') return void res.writeHead(404).end();
        try {
          sink.record(JSON.parse(body) as OtlpExport);
          res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        } catch {
          res.writeHead(400).end();
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return sink;
  }

  /** The value for OTEL_EXPORTER_OTLP_ENDPOINT. */
  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Spans received for one trace, per service. */
  spansOf(traceId: string): Record<string, number> {
    return Object.fromEntries(this.traces.get(traceId) ?? []);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private record(payload: OtlpExport): void {
    for (const resourceSpans of payload.resourceSpans ?? []) {
      const service =
        resourceSpans.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue ??
        'unknown';
      for (const scope of resourceSpans.scopeSpans ?? []) {
        for (const span of scope.spans ?? []) {
          const perService = this.traces.get(span.traceId) ?? new Map<string, number>();
          perService.set(service, (perService.get(service) ?? 0) + 1);
          this.traces.set(span.traceId, perService);
        }
      }
    }
  }
}
