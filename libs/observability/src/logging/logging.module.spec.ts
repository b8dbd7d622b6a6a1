import { PassThrough } from 'node:stream';
import { Test } from '@nestjs/testing';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { Logger } from 'nestjs-pino';
import { startTelemetry, type Telemetry } from '../telemetry/start-telemetry';
import { withProcessSpan } from '../tracing/messaging-spans';
import { runWithLogContext } from './log-context';
import { LoggingModule } from './logging.module';

interface LogLine {
  msg: string;
  service: string;
  trace_id?: string;
  span_id?: string;
  trace_flags?: string;
  correlation_id?: string;
  message_id?: string;
}

describe('LoggingModule', () => {
  const exporter = new InMemorySpanExporter();
  const output = new PassThrough();
  const lines: LogLine[] = [];
  let telemetry: Telemetry;
  let logger: Logger;

  beforeAll(async () => {
    telemetry = startTelemetry({
      serviceName: 'logging-test',
      env: {},
      exporter,
      autoInstrumentation: false,
      log: () => undefined,
    });
    output.on('data', (chunk: Buffer) =>
      chunk
        .toString()
        .split('\n')
        .filter(Boolean)
        .forEach((line) => lines.push(JSON.parse(line) as LogLine)),
    );
    const moduleRef = await Test.createTestingModule({
      imports: [LoggingModule.forService({ serviceName: 'logging-test', destination: output })],
    }).compile();
    logger = moduleRef.get(Logger);
  });
  afterAll(() => telemetry.shutdown());
  beforeEach(() => (lines.length = 0));

  const lineSaying = async (msg: string): Promise<LogLine> => {
    await new Promise((resolve) => setImmediate(resolve));
    const line = lines.find((l) => l.msg === msg);
    if (!line) throw new Error(`no log line "${msg}" in ${JSON.stringify(lines)}`);
    return line;
  };

  it('writes the trace and span ids of the span a line was written in, also after an await', async () => {
    const written = await trace.getTracer('test').startActiveSpan('reserve stock', async (span) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      logger.log('stock reserved');
      span.end();
      return span.spanContext();
    });

    expect(await lineSaying('stock reserved')).toMatchObject({
      service: 'logging-test',
      trace_id: written.traceId,
      span_id: written.spanId,
      trace_flags: '01',
    });
  });

  it('writes the ids of the process span, the message id and the correlation id while a message is handled', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    let processSpanId: string | undefined;
    await withProcessSpan(
      { queue: 'inventory-service.commands', messageId: 'm-1', correlationId: 'order-42' },
      { traceparent },
      async () => {
        processSpanId = trace.getActiveSpan()?.spanContext().spanId;
        logger.log('handling inventory.reserve-stock');
      },
    );

    const line = await lineSaying('handling inventory.reserve-stock');
    expect(line).toMatchObject({
      trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
      span_id: processSpanId,
      correlation_id: 'order-42',
      message_id: 'm-1',
    });
  });

  it('writes the correlation id set by runWithLogContext, and no trace fields outside a span', async () => {
    runWithLogContext({ correlationId: 'order-7' }, () => logger.log('order placed'));
    logger.log('outside');

    expect(await lineSaying('order placed')).toMatchObject({ correlation_id: 'order-7' });
    const outside = await lineSaying('outside');
    expect(outside.trace_id).toBeUndefined();
    expect(outside.correlation_id).toBeUndefined();
  });
});
