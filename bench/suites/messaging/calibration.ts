import { median, relativeSpread } from '../../lib/percentile';
import { withBenchQueue } from './bench-queue';
import { measureConsume, measurePublish, type MeasureOptions } from './measurements';
import type { MessagingAdapter } from './messaging-adapter';
import type { CalibrationSettings } from './messaging-settings';

export interface Calibration {
  expectedPerS: number;
  runs: Array<{ publishPerS: number; consumePerS: number }>;
  /** Median confirmed-publish rate of the runs: the broker's write capacity on this machine. */
  publishPerS: number;
  /** (max − min) / median of the runs' publish rates. */
  spread: number;
  trustworthy: boolean;
  warnings: string[];
}

/**
 * Before comparing anything: does the broker alone, driven by raw amqplib (window 500, prefetch 500),
 * reach its usual rate here, and does it reach it twice in a row? If not, other processes are eating
 * the CPU or disk, and ratios between subjects measured minutes apart mean little.
 */
export async function calibrate(
  amqplib: MessagingAdapter,
  settings: CalibrationSettings,
  options: MeasureOptions,
  log: (line: string) => void,
): Promise<Calibration> {
  const runs: Calibration['runs'] = [];
  for (let run = 1; run <= settings.runs; run++) {
    const { publishPerS, consumePerS } = await withBenchQueue(
      options.vhost,
      `calibration-${run}`,
      async (queue) => ({
        publishPerS: await measurePublish(amqplib, queue, settings.messages, options),
        consumePerS: (await measureConsume(amqplib, queue, settings.messages, options)).perSecond,
      }),
    );
    runs.push({ publishPerS, consumePerS });
    log(
      `  calibration ${run}/${settings.runs}: publish ${Math.round(publishPerS)} msg/s, consume ${Math.round(consumePerS)} msg/s`,
    );
  }
  const rates = runs.map((r) => r.publishPerS);
  const publishPerS = median(rates);
  const spread = relativeSpread(rates);
  const warnings: string[] = [];
  if (publishPerS < settings.expectedPerS * settings.minShare) {
    warnings.push(
      `raw amqplib publishes ${Math.round(publishPerS)} msg/s, below ${Math.round(settings.minShare * 100)}% of the usual ` +
        `${settings.expectedPerS} msg/s: machine too noisy to trust`,
    );
  }
  if (spread > settings.maxSpread) {
    warnings.push(
      `calibration runs differ by ${Math.round(spread * 100)}% (more than ${Math.round(settings.maxSpread * 100)}%): ` +
        'machine too noisy to trust',
    );
  }
  return {
    expectedPerS: settings.expectedPerS,
    runs,
    publishPerS,
    spread,
    trustworthy: warnings.length === 0,
    warnings,
  };
}
