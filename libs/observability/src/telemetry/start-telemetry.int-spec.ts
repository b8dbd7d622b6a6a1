import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
// Specs of libraries use the test harness like the apps' specs do.
import {
  createTestDatabase,
  freePort,
  OtlpReceiver,
  type ReceivedSpan,
  type TestDatabase,
  workspaceRoot,
} from '@orderly/testing';

const SPAN_KIND_SERVER = 2;

// `npm test` runs every project in one jest process, which applies the global testTimeout (5 s), not the
// preset's: tests that start processes say how long they may take.
const PROCESS_TEST_TIMEOUT_MS = 60_000;

/** Runs test-support/traced-app.main.ts the way services run: a process through tools/scripts/run-ts.mjs. */
function startTracedApp(env: Record<string, string>) {
  const root = workspaceRoot();
  const child: ChildProcess = spawn(
    process.execPath,
    [path.join(root, 'tools/scripts/run-ts.mjs'), path.join(__dirname, '../test-support/traced-app.main.ts')],
    // Exactly the given environment, as a container would have it.
    { cwd: root, env },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    output: () => output,
    logLines: () =>
      output
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    exited,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

async function waitForOk(url: string, app: { output(): string }, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms:\n${app.output()}`);
}

describe('startTelemetry in a service process', () => {
  let receiver: OtlpReceiver;
  let db: TestDatabase;

  beforeAll(async () => {
    [receiver, db] = await Promise.all([OtlpReceiver.start(), createTestDatabase('traced_app')]);
  });
  afterAll(async () => {
    await Promise.all([receiver?.close(), db?.dispose()]);
  });

  it(
    "traces an HTTP request and its SQL in the caller's trace, logs with its ids, and exports the spans at shutdown",
    async () => {
      const port = await freePort();
      const app = startTracedApp({
        PORT: String(port),
        DATABASE_URL: db.url,
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
        // No export before shutdown: the spans can only arrive through the flush of TelemetryModule.
        OTEL_BSP_SCHEDULE_DELAY: '600000',
      });
      const base = `http://127.0.0.1:${port}`;
      const traceId = randomBytes(16).toString('hex');
      const callerSpanId = randomBytes(8).toString('hex');
      try {
        await waitForOk(`${base}/metrics`, app);
        const response = await fetch(`${base}/work`, {
          headers: { traceparent: `00-${traceId}-${callerSpanId}-01` },
        });
        expect(await response.json()).toEqual({ rows: 1 });
        const metrics = await (await fetch(`${base}/metrics`)).text();
        expect(metrics).toMatch(
          /^http_server_request_duration_seconds_count\{service="traced-app",method="GET",route="\/work",status_code="200"\} 1$/m,
        );
        expect(receiver.spans).toEqual([]);
      } finally {
        const exit = await app.stop();
        expect({ exit, output: exit.code === 0 || exit.signal === 'SIGTERM' ? '' : app.output() }).toEqual({
          exit,
          output: '',
        });
      }

      const inTrace = receiver.spans.filter((span) => span.traceId === traceId);
      const server = one(inTrace, (span) => span.kind === SPAN_KIND_SERVER);
      const query = one(inTrace, (span) => span.name.startsWith('pg.query'));
      expect(server).toMatchObject({ service: 'traced-app', parentSpanId: callerSpanId });
      // Named after the Nest route (HttpRouteInterceptor), as the HTTP conventions ask.
      expect({ name: server.name, route: server.attributes['http.route'] }).toEqual({
        name: 'GET /work',
        route: '/work',
      });
      expect(server.resource).toMatchObject({ 'service.namespace': 'orderly' });
      expect(ancestorsOf(query, inTrace)).toContain(server.spanId);
      // Scrapes of /metrics are not traced, and no query runs in a trace of its own.
      expect(receiver.spans.filter((span) => span.traceId !== traceId)).toEqual([]);

      const lines = app.logLines();
      expect(lines[0]).toMatchObject({
        service: 'traced-app',
        msg: `tracing on: OTLP http/json to ${receiver.endpoint}; instrumented: http, pg`,
      });
      expect(lines.find((line) => line['msg'] === 'working on it')).toMatchObject({
        service: 'traced-app',
        trace_id: traceId,
        span_id: server.spanId,
      });
    },
    PROCESS_TEST_TIMEOUT_MS,
  );

  it(
    'leaves SQL untraced when OTEL_NODE_DISABLED_INSTRUMENTATIONS names pg, and still traces the request',
    async () => {
      const port = await freePort();
      const app = startTracedApp({
        PORT: String(port),
        DATABASE_URL: db.url,
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
        OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'pg',
      });
      const traceId = randomBytes(16).toString('hex');
      try {
        await waitForOk(`${base(port)}/metrics`, app);
        const response = await fetch(`${base(port)}/work`, {
          headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
        });
        expect(await response.json()).toEqual({ rows: 1 });
      } finally {
        await app.stop();
      }
      const inTrace = receiver.spans.filter((span) => span.traceId === traceId);
      expect(inTrace.map((span) => span.name)).toEqual(['GET /work']);
      expect(app.logLines()[0]).toMatchObject({
        msg: `tracing on: OTLP http/json to ${receiver.endpoint}; instrumented: http`,
      });
    },
    PROCESS_TEST_TIMEOUT_MS,
  );

  it(
    'refuses to start on an instrumentation name it does not know, naming the setting',
    async () => {
      const app = startTracedApp({
        PORT: String(await freePort()),
        DATABASE_URL: db.url,
        OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'pg,mongodb',
      });
      const exit = await app.exited;
      expect(exit.code).not.toBe(0);
      expect(app.output()).toContain(
        'OTEL_NODE_DISABLED_INSTRUMENTATIONS: unknown instrumentation "mongodb" (this service has: http, pg)',
      );
    },
    PROCESS_TEST_TIMEOUT_MS,
  );

  it(
    'records no span and says so when no exporter is configured',
    async () => {
      const port = await freePort();
      const app = startTracedApp({ PORT: String(port), DATABASE_URL: db.url });
      try {
        await waitForOk(`${base(port)}/metrics`, app);
        await fetch(`${base(port)}/work`);
      } finally {
        await app.stop();
      }
      expect(app.logLines()[0]).toMatchObject({ msg: 'tracing off (no OTEL_EXPORTER_OTLP_ENDPOINT)' });
      expect(app.logLines().find((line) => line['msg'] === 'working on it')?.['trace_id']).toBeUndefined();
    },
    PROCESS_TEST_TIMEOUT_MS,
  );
});

const base = (port: number) => `http://127.0.0.1:${port}`;

function one(spans: ReceivedSpan[], predicate: (span: ReceivedSpan) => boolean): ReceivedSpan {
  const found = spans.filter(predicate);
  if (found.length !== 1)
    throw new Error(`expected one such span, got ${found.length}: ${JSON.stringify(spans, null, 2)}`);
  return found[0];
}

function ancestorsOf(span: ReceivedSpan, spans: ReceivedSpan[]): string[] {
  const ancestors: string[] = [];
  let parent = span.parentSpanId;
  while (parent) {
    ancestors.push(parent);
    parent = spans.find((s) => s.spanId === parent)?.parentSpanId;
  }
  return ancestors;
}
