import { randomUUID } from 'node:crypto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, ConsoleSpanExporter, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { autoInstrumentations, type InstrumentationName } from './auto-instrumentations';
import type { ExporterName } from './trace-export';

// Loaded by startTelemetry only when tracing is on: the SDK with its exporters and instrumentations
// adds about half a second to a service's startup.

/** Resource namespace shared by the four services, so a trace backend can group them. */
const SERVICE_NAMESPACE = 'orderly';

export interface NodeSdkOptions {
  serviceName: string;
  serviceVersion?: string;
  exporters: Array<ExporterName | SpanExporter>;
  /** The modules to patch (none: only our own spans). */
  instrumentations: readonly InstrumentationName[];
}

export interface RunningSdk {
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

export function startNodeSdk(options: NodeSdkOptions): RunningSdk {
  const processors = options.exporters.map((exporter) => new BatchSpanProcessor(exporterOf(exporter)));
  const sdk = new NodeSDK({
    serviceName: options.serviceName,
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: options.serviceName,
      ...(options.serviceVersion ? { [ATTR_SERVICE_VERSION]: options.serviceVersion } : {}),
      'service.namespace': SERVICE_NAMESPACE,
      'service.instance.id': randomUUID(),
    }),
    spanProcessors: processors,
    instrumentations: autoInstrumentations(options.instrumentations),
    // Metrics are Prometheus' (prom-client, /metrics) and logs are pino's: without these two empty lists
    // the SDK would start exporting both over OTLP to localhost by default.
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  return {
    async forceFlush() {
      await Promise.all(processors.map((processor) => processor.forceFlush()));
    },
    shutdown: () => sdk.shutdown(),
  };
}

function exporterOf(exporter: ExporterName | SpanExporter): SpanExporter {
  if (exporter === 'otlp') return new OTLPTraceExporter();
  if (exporter === 'console') return new ConsoleSpanExporter();
  return exporter;
}
