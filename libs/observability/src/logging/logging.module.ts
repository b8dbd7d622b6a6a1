import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';

export interface LoggingOptions {
  serviceName: string;
  inject?: Array<string | symbol | Type<unknown>>;
  /** Returns the minimum level from the app's typed settings. */
  useFactory?: (...deps: never[]) => { level: string };
  /** Destination for log lines; stdout unless a test captures them. */
  destination?: NodeJS.WritableStream;
}

/** Extra fields merged into every log line (the tracing integration registers one here). */
export const logMixins: Array<() => Record<string, unknown>> = [];

/**
 * JSON logs, one line per event, through pino (nestjs-pino makes it Nest's logger as well, so framework
 * messages share the format). Every line carries `service`; trace and correlation ids are added
 * through `logMixins`.
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
                // Probes poll every few seconds; logging each one drowns real traffic.
                autoLogging: { ignore: (req: { url?: string }) => (req.url ?? '').startsWith('/health') },
                mixin: () => Object.assign({}, ...logMixins.map((mixin) => mixin())),
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
