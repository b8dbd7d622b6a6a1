import { Controller, Get, Inject, type OnApplicationShutdown } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { ReadinessProbe } from './readiness-probe';

export const READINESS_PROBES = Symbol('READINESS_PROBES');

@Controller('health')
export class HealthController implements OnApplicationShutdown {
  private shuttingDown = false;

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(READINESS_PROBES) private readonly probes: ReadinessProbe[],
  ) {}

  /** Liveness: the process answers. It says nothing about dependencies, so a broker outage never restarts pods. */
  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  /** Readiness: every dependency answers, and the service is not draining for shutdown. */
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      async () => {
        const session = this.indicators.check('lifecycle');
        return this.shuttingDown ? session.down({ reason: 'shutting down' }) : session.up();
      },
      ...this.probes.map((probe) => async () => {
        const session = this.indicators.check(probe.name);
        try {
          return session.up((await probe.check()) ?? {});
        } catch (error) {
          return session.down({ reason: error instanceof Error ? error.message : String(error) });
        }
      }),
    ]);
  }

  onApplicationShutdown(): void {
    this.shuttingDown = true;
  }
}
