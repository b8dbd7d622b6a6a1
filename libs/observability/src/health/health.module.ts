import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController, READINESS_PROBES } from './health.controller';
import type { ReadinessProbe } from './readiness-probe';

export interface HealthOptions {
  /** Probe providers exported by other modules (e.g. DatabaseReadinessProbe, BrokerReadinessProbe). */
  readiness: Array<Type<ReadinessProbe>>;
}

/** `/health/live` and `/health/ready` through @nestjs/terminus. */
@Module({})
export class HealthModule {
  static forRoot(options: HealthOptions): DynamicModule {
    return {
      module: HealthModule,
      imports: [TerminusModule],
      controllers: [HealthController],
      providers: [
        {
          provide: READINESS_PROBES,
          inject: options.readiness,
          useFactory: (...probes: ReadinessProbe[]) => probes,
        },
      ],
    };
  }
}
