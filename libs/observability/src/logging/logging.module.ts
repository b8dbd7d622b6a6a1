import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { POLLED_PATHS } from '../polled-paths';
import { logContextFields } from './log-context';
import { traceLogFields } from './trace-log-fields';

export interface LoggingOptions {
  serviceName: string;
  inject?: Array<string | symbol | Type<unknown>>;
  /** Returns the minimum level from the app's typed settings. */
  useFactory?: (...deps: never[]) => { level: string };
  /** Destination for log lines; stdout unless a test captures them. */
  destination?: NodeJS.WritableStream;
}

/** Extra fields merged into every log line, after the built-in ones. */
export const logMixins: Array<() => Record<string, unknown>> = [];

/** Built in: the active span's `trace_id`/`span_id`/`trace_flags`, and `correlation_id`/`message_id`. */
const builtInMixins = [traceLogFields, logContextFields];

/**
 * JSON logs, one line per event, through pino (nestjs-pino makes it Nest's logger as well, so framework
 * messages share the format). Every line carries `service`, the trace and span ids of the span it was
 * written in, and the correlation id of the work (`runWithLogContext`).
 */
@Module({})
export class LoggingModule {
  static forService(options: LoggingOptions): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRootAsync({
          inject: options.inject ?? [],
          useFactory: (...deps: unknown[]) => ({
            pinoHttp: [
              {
                level: options.useFactory?.(...(deps as never[])).level ?? 'info',
                base: { service: options.serviceName, pid: process.pid },
                timestamp: () => `,"time":"${new Date().toISOString()}"`,
                formatters: { level: (label: string) => ({ level: label }) },
                autoLogging: { ignore: (req: { url?: string }) => POLLED_PATHS.test(req.url ?? '') },
                // Request logs carry the headers: an operator's bearer token or a session cookie must not
                // end up in the log pipeline.
                redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'], censor: '<redacted>' },
                mixin: () => {
                  const fields: Record<string, unknown> = {};
                  for (const mixin of builtInMixins) Object.assign(fields, mixin());
                  for (const mixin of logMixins) Object.assign(fields, mixin());
                  return fields;
                },
              },
              options.destination ?? process.stdout,
            ],
          }),
        }),
      ],
      exports: [LoggerModule],
    };
  }
}
