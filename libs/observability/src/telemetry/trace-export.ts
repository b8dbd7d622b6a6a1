/** The process environment, as the app hands it over (libraries never read `process.env` themselves). */
export type TelemetryEnv = Readonly<Record<string, string | undefined>>;

export type ExporterName = 'otlp' | 'console';

export interface TraceExport {
  /** Where spans go; empty: no span is recorded, only trace context is propagated. */
  exporters: ExporterName[];
  /** What was chosen and why, for the startup line (`OTLP http/json to http://tempo:4318`, `off (…)`). */
  description: string;
  /** Settings we understood but cannot honour, reported at startup. */
  warnings: string[];
}

/**
 * Chooses the span exporters from the standard variables, with one deliberate difference: the spec's
 * default `OTEL_TRACES_EXPORTER=otlp` towards localhost:4318 is only assumed when an OTLP endpoint is
 * set. A service started without any OTEL_* setting (tests, `npm run demo`) records no spans, tries no
 * connection and logs no export errors. The OTLP exporter then reads its own settings
 * (`OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT`, `_HEADERS`, `_TIMEOUT`) from the environment.
 */
export function traceExportFromEnv(env: TelemetryEnv): TraceExport {
  const warnings: string[] = [];
  const names = (env['OTEL_TRACES_EXPORTER'] ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  const endpoint = env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'] || env['OTEL_EXPORTER_OTLP_ENDPOINT'];

  if (names.includes('none'))
    return { exporters: [], description: 'off (OTEL_TRACES_EXPORTER=none)', warnings };
  if (names.length === 0) {
    if (!endpoint) return { exporters: [], description: 'off (no OTEL_EXPORTER_OTLP_ENDPOINT)', warnings };
    names.push('otlp');
  }

  const exporters: ExporterName[] = [];
  const described: string[] = [];
  for (const name of new Set(names)) {
    if (name === 'otlp') {
      // Only the OTLP/HTTP JSON exporter is installed; Tempo, Jaeger and the collector all accept it.
      const protocol = env['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'] || env['OTEL_EXPORTER_OTLP_PROTOCOL'];
      if (protocol && protocol !== 'http/json') {
        warnings.push(
          `OTEL_EXPORTER_OTLP_PROTOCOL=${protocol} is not supported: spans are sent as http/json`,
        );
      }
      exporters.push('otlp');
      described.push(`OTLP http/json to ${endpoint ?? 'http://localhost:4318'}`);
    } else if (name === 'console') {
      exporters.push('console');
      described.push('console');
    } else {
      warnings.push(`OTEL_TRACES_EXPORTER=${name} is not supported (use otlp, console or none)`);
    }
  }
  if (exporters.length === 0) return { exporters, description: 'off (no supported exporter)', warnings };
  return { exporters, description: described.join(', '), warnings };
}
