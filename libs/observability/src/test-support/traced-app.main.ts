import './traced-app.telemetry';
import { Controller, Get, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger as PinoLogger } from 'nestjs-pino';
import { Pool } from 'pg';
import { LoggingModule } from '../logging/logging.module';
import { MetricsModule } from '../metrics/metrics.module';
import { TelemetryModule } from '../telemetry/telemetry.module';

// A minimal service wired like Orderly's (telemetry first, then logging, metrics and the telemetry
// flush), run as a real process by start-telemetry.int-spec.ts: auto-instrumentation only works when
// the preload really comes before `http` and `pg` are loaded.

// eslint-disable-next-line no-restricted-properties
const { PORT, DATABASE_URL } = process.env;
const POOL = Symbol('POOL');

@Controller('work')
class WorkController implements OnApplicationShutdown {
  private readonly logger = new Logger(WorkController.name);
  constructor(@Inject(POOL) private readonly pool: Pool) {}

  @Get()
  async work(): Promise<{ rows: number }> {
    this.logger.log('working on it');
    const result = await this.pool.query('SELECT 1 AS one');
    return { rows: result.rowCount ?? 0 };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}

@Module({
  imports: [
    LoggingModule.forService({ serviceName: 'traced-app' }),
    MetricsModule.forRoot({ serviceName: 'traced-app' }),
    TelemetryModule,
  ],
  controllers: [WorkController],
  providers: [{ provide: POOL, useFactory: () => new Pool({ connectionString: DATABASE_URL, max: 10 }) }],
})
class TracedAppModule {}

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(TracedAppModule, { bufferLogs: true });
  app.useLogger(app.get(PinoLogger));
  app.enableShutdownHooks();
  await app.listen(Number(PORT), '127.0.0.1');
}

void bootstrap();
