import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { type ResolvedSagaOptions, SAGA_OPTIONS } from './saga-options';
import { SagaRuntime } from './saga-runtime';

/** After a failing sweep (database down, tables missing), wait this long: one log line, not one per tick. */
const FAILURE_BACKOFF_MS = 5_000;

/**
 * Polls the store for sagas past their step deadline (every `sweepIntervalMs`) and for the gauges
 * (every `gaugeIntervalMs`). Safe with several instances: each saga is claimed FOR UPDATE SKIP LOCKED.
 * Stops before the application's connections close, after the sweep in progress.
 */
@Injectable()
export class SagaSweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('SagaSweeper');
  private stopped = false;
  private timers: NodeJS.Timeout[] = [];
  private running: Promise<void> = Promise.resolve();

  constructor(
    @Inject(SAGA_OPTIONS) private readonly options: ResolvedSagaOptions,
    private readonly runtime: SagaRuntime,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.options.runSweeper) return;
    this.loop('deadline sweep', this.options.sweepIntervalMs, () => this.runtime.sweepDue());
    this.loop('saga gauges', this.options.gaugeIntervalMs, () => this.runtime.reportGauges());
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    await this.running;
  }

  private loop(what: string, intervalMs: number, work: () => Promise<unknown>): void {
    const tick = (): void => {
      if (this.stopped) return;
      const run = work().then(
        () => intervalMs,
        (error: unknown) => {
          this.logger.error(`${what} failed: ${(error as Error).message ?? String(error)}`);
          return Math.max(intervalMs, FAILURE_BACKOFF_MS);
        },
      );
      this.running = Promise.all([this.running, run]).then(() => undefined);
      void run.then((delay) => {
        if (!this.stopped) this.timers.push(setTimeout(tick, delay));
      });
    };
    this.timers.push(setTimeout(tick, intervalMs));
  }
}
