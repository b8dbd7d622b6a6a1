import { traceExportFromEnv } from './trace-export';

describe('traceExportFromEnv', () => {
  it('exports nothing when no OTLP endpoint is set, unlike the OTel default of localhost:4318', () => {
    expect(traceExportFromEnv({})).toMatchObject({
      exporters: [],
      description: 'off (no OTEL_EXPORTER_OTLP_ENDPOINT)',
    });
  });

  it('exports over OTLP/HTTP when an endpoint is set', () => {
    for (const key of ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']) {
      const chosen = traceExportFromEnv({ [key]: 'http://tempo:4318' });
      expect(chosen.exporters).toEqual(['otlp']);
      expect(chosen.description).toBe('OTLP http/json to http://tempo:4318');
    }
  });

  it('honours OTEL_TRACES_EXPORTER: none wins, console prints, otlp without endpoint uses the default', () => {
    expect(
      traceExportFromEnv({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://tempo:4318' })
        .exporters,
    ).toEqual([]);
    expect(traceExportFromEnv({ OTEL_TRACES_EXPORTER: 'console' }).exporters).toEqual(['console']);
    expect(traceExportFromEnv({ OTEL_TRACES_EXPORTER: 'otlp' }).description).toBe(
      'OTLP http/json to http://localhost:4318',
    );
  });

  it('reports the settings it cannot honour instead of ignoring them silently', () => {
    expect(traceExportFromEnv({ OTEL_TRACES_EXPORTER: 'zipkin' })).toMatchObject({
      exporters: [],
      warnings: ['OTEL_TRACES_EXPORTER=zipkin is not supported (use otlp, console or none)'],
    });
    expect(
      traceExportFromEnv({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://tempo:4317',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      }).warnings,
    ).toEqual(['OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported: spans are sent as http/json']);
  });
});
