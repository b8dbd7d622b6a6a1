import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Services } from '@orderly/contracts';
import { type OrderView, StackServices } from '@orderly/local-stack';
import { serverFolder } from '@orderly/local-servers';
import { runComposeDemo } from './compose-demo';
import { DemoRefusedError } from './demo-refused.error';
import { LocalStack } from './local-stack';
import { traceIdOf } from './order-summary';
import { placeSampleOrdersAndReport } from './sample-report';
import { TraceSink } from './trace-sink';

// `npm run demo`: the whole system on this machine, sample orders down every saga path, a summary of
// each, then running until Ctrl-C.
//   --once     CI mode: stop after the summary; exit 0 only if every sample order reached its expected outcome
//   --compose  the same on the Docker Compose stack (compose-demo.ts) instead of processes on this machine

const root = path.resolve(__dirname, '../../..');
const { values } = parseArgs({
  options: {
    once: { type: 'boolean', default: false },
    compose: { type: 'boolean', default: false },
    // Where data and logs go; the demo's test uses its own folder so it never touches a running demo.
    'base-dir': { type: 'string', default: serverFolder(path.join(root, '.local', 'demo')) },
  },
});
const baseDir = path.resolve(values['base-dir']);
const started = Date.now();
const say = (line: string) =>
  process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${line}\n`);

/**
 * Saga deadlines short enough that the timeout sample ends in about ten seconds, long enough that a
 * busy laptop answers in time (a late reply only costs a re-send): the payment step is re-sent twice
 * after 3 s without an answer, then compensated.
 */
const SagaStepTimeoutMs = 3_000;
const SagaStepMaxAttempts = 3;
/** How long the summary waits for an order's last spans (exported in batches every 200 ms). */
const TraceArrivalMs = 3_000;
/** Every sample settles well within this (the timeout path: 3 × 3 s, then compensation). */
const SettleTimeoutMs = 60_000;

async function main(): Promise<number> {
  say('Orderly demo — broker, databases and four services on this machine');
  const adminToken = randomBytes(18).toString('base64url');
  // Without a collector of the user's own, the services send their spans to the demo itself, so the
  // summary can show each order as one trace across the services.
  const traceSink = process.env['OTEL_EXPORTER_OTLP_ENDPOINT'] ? undefined : await TraceSink.start();
  const tracing = {
    OTEL_EXPORTER_OTLP_ENDPOINT: traceSink?.endpoint ?? process.env['OTEL_EXPORTER_OTLP_ENDPOINT'] ?? '',
    OTEL_BSP_SCHEDULE_DELAY: '200',
  };
  const stack = new LocalStack({
    root,
    baseDir,
    databaseUrl: process.env['DATABASE_URL'] || undefined,
    progress: say,
    serviceEnv: {
      [Services.inventory]: tracing,
      [Services.payment]: tracing,
      [Services.notification]: tracing,
      [Services.order]: {
        ...tracing,
        ADMIN_TOKEN: adminToken,
        SAGA_STEP_TIMEOUT_MS: String(SagaStepTimeoutMs),
        SAGA_STEP_MAX_ATTEMPTS: String(SagaStepMaxAttempts),
        SAGA_SWEEP_INTERVAL_MS: '200',
      },
    },
  });
  let stopping: Promise<void> | undefined;
  const shutdown = (why: string) =>
    (stopping ??= (async () => {
      say(`${why}: stopping services (they drain in-flight work), then RabbitMQ and PostgreSQL…`);
      await stack.stop();
      await traceSink?.close();
      say('everything stopped.');
    })());
  // Ctrl-C at any moment, even while servers are still starting, stops whatever is already running.
  const stopped = new Promise<void>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const)
      process.once(signal, () => void shutdown(signal).then(resolve));
  });
  const interrupted = stopped.then(() => 130);
  const outcome = await Promise.race([runDemo(stack, adminToken, traceSink), interrupted]).catch(
    async (error: unknown) => {
      // A start cut short by Ctrl-C fails too; that is the interruption, not an error to report.
      if (stopping) return interrupted;
      await shutdown('failed');
      throw error;
    },
  );
  if (outcome === 130) return 130;

  if (values.once) {
    await shutdown('--once');
    return outcome;
  }
  say('running; press Ctrl-C to stop everything.');
  await stopped;
  return outcome;
}

/** Starts the stack, places the sample orders, prints the summary; answers 0 when all went as expected. */
async function runDemo(stack: LocalStack, adminToken: string, traceSink?: TraceSink): Promise<number> {
  await stack.start();
  const orderUrl = stack.url(Services.order);
  const inventoryUrl = stack.url(Services.inventory);
  const spansOf = async (order?: OrderView) => {
    const traceId = order && traceIdOf(order);
    if (!traceSink || !traceId) return undefined;
    // Services export in batches (every 200 ms): give the last order's spans a moment to arrive.
    const deadline = Date.now() + TraceArrivalMs;
    while (Object.keys(traceSink.spansOf(traceId)).length < StackServices.length && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return traceSink.spansOf(traceId);
  };
  const results = await placeSampleOrdersAndReport({
    orderUrl,
    inventoryUrl,
    settleTimeoutMs: SettleTimeoutMs,
    progress: say,
    spansOf,
  });
  const failed = results.filter((r) => r.problem);

  const management = new URL(stack.managementUrl);
  process.stdout.write(
    [
      '',
      'Where to look next:',
      `  API docs (OpenAPI)    ${orderUrl}/docs`,
      `  one order + timeline  curl ${orderUrl}/orders/<order id>`,
      `  sagas (operators)     curl -H 'Authorization: Bearer ${adminToken}' ${orderUrl}/admin/sagas`,
      `  products and stock    curl ${inventoryUrl}/products`,
      `  RabbitMQ management   http://${management.host}/  (user ${decodeURIComponent(management.username)}, password ${decodeURIComponent(management.password)})`,
      `  metrics (Prometheus)  ${stack.services.map((s) => `${s.url}/metrics`).join('\n                        ')}`,
      `  service logs (JSON)   ${path.relative(root, path.join(baseDir, 'logs'))}/`,
      '',
    ].join('\n') + '\n',
  );
  return failed.length === 0 ? 0 : 1;
}

(values.compose ? runComposeDemo({ root, once: values.once, say }) : main()).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      error instanceof DemoRefusedError
        ? `\n✖ ${error.message}\n`
        : `\n✖ demo failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  },
);
