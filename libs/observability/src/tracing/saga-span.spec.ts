import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { startTelemetry, type Telemetry } from '../telemetry/start-telemetry';
import { annotateSagaSpan } from './saga-span';

describe('annotateSagaSpan', () => {
  const exporter = new InMemorySpanExporter();
  let telemetry: Telemetry;
  beforeAll(() => {
    telemetry = startTelemetry({
      serviceName: 'saga-test',
      env: {},
      exporter,
      autoInstrumentation: false,
      log: () => undefined,
    });
  });
  afterAll(() => telemetry.shutdown());

  it('marks the active span with the saga, its instance, step and outcome, as the dashboards search them', async () => {
    trace.getTracer('test').startActiveSpan('process order-service.saga-replies', (span) => {
      annotateSagaSpan({
        saga: 'place-order',
        sagaId: 's-1',
        step: 'authorise-payment',
        outcome: 'compensated',
      });
      span.end();
    });
    annotateSagaSpan({ saga: 'place-order', sagaId: 's-2' }); // no active span: nothing to mark, no error
    await telemetry.forceFlush();

    expect(exporter.getFinishedSpans().map((s) => s.attributes)).toEqual([
      {
        'orderly.saga.name': 'place-order',
        'orderly.saga.id': 's-1',
        'orderly.saga.step': 'authorise-payment',
        'orderly.saga.outcome': 'compensated',
      },
    ]);
  });
});
