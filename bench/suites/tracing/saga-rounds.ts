import { OrderEventsTracker, parseMix, runLoad, type LoadReport } from '@orderly/load';
import type { BenchBroker } from '../../lib/bench-broker';
import { round, type Figure } from '../../lib/bench-suite';
import { median } from '../../lib/percentile';
import { CpuMeter } from '../saga/cpu-meter';
import { sagaBenchSettings } from '../saga/saga-bench-settings';
import { type SagaStack, startSagaStack } from '../saga/saga-stack';
import type { TracingSettings } from './tracing-settings';

type Mode = 'off' | 'on';
const modes: Mode[] = ['off', 'on'];

export interface SagaTracingOptions {
  broker: BenchBroker;
  sinkEndpoint: string;
  settings: TracingSettings;
  log: (line: string) => void;
}

/**
 * The place-order saga (four services, their databases, the broker) twice, side by side: one stack
 * with tracing off (no OTEL_* variables), one with tracing on at 100% sampling, exporting to the
 * suite's sink. Both get the same open-loop rate of success orders over the same seconds, round after
 * round, so whatever else the machine does slows both alike.
 *
 * The whole system is CPU-bound on this machine (see the saga suite's `cpu_ms_per_saga`), so the
 * throughput tracing costs is its share of the CPU a saga needs: 1 − cpu_off / cpu_on. Measuring the
 * highest sustained rate of each stack instead would need two ramps one after the other, which on a
 * shared 2-core machine compares two different minutes rather than two settings. p99 is each order's
 * time from its due time to CONFIRMED, at a rate well below saturation.
 */
export async function measureSagaTracing({ broker, sinkEndpoint, settings, log }: SagaTracingOptions) {
  const sagaSettings = { ...sagaBenchSettings(1), serviceLogLevel: 'warn' };
  const stacks: Partial<Record<Mode, SagaStack>> = {};
  const trackers: Partial<Record<Mode, OrderEventsTracker>> = {};
  const cpuMsPerSaga: Record<Mode, number[]> = { off: [], on: [] };
  const p99: Record<Mode, number[]> = { off: [], on: [] };
  const p50: Record<Mode, number[]> = { off: [], on: [] };
  try {
    log('saga part: starting two stacks (tracing off, tracing on)…');
    for (const mode of modes) {
      stacks[mode] = await startSagaStack(broker, sagaSettings, (line) => log(`  [${mode}] ${line}`), {
        label: `tracing-${mode}`,
        env:
          mode === 'on'
            ? {
                OTEL_EXPORTER_OTLP_ENDPOINT: sinkEndpoint,
                OTEL_TRACES_SAMPLER: 'always_on',
                OTEL_NODE_DISABLED_INSTRUMENTATIONS: settings.disabledInstrumentations,
              }
            : {},
      });
      trackers[mode] = await OrderEventsTracker.start(stacks[mode].adminAmqpUrl);
    }
    const load = (mode: Mode, rate: number, durationMs: number) =>
      runLoad({
        baseUrl: (stacks[mode] as SagaStack).orderUrl,
        rate,
        durationMs,
        mix: parseMix('success=1'),
        tracker: trackers[mode] as OrderEventsTracker,
        catalog: sagaSettings.catalog,
        settleTimeoutMs: sagaSettings.settleTimeoutMs,
      });
    await Promise.all(
      modes.map((mode) => load(mode, settings.sagaRatePerS, settings.sagaWarmupSeconds * 1000)),
    );
    for (let roundIndex = 0; roundIndex < settings.sagaRounds; roundIndex += 1) {
      const meters = Object.fromEntries(
        modes.map((mode) => [mode, new CpuMeter((stacks[mode] as SagaStack).processes())]),
      ) as Record<Mode, CpuMeter>;
      const before = { off: meters.off.read(), on: meters.on.read() };
      const reports = await Promise.all(
        modes.map((mode) => load(mode, settings.sagaRatePerS, settings.sagaSeconds * 1000)),
      );
      const report = { off: reports[0] as LoadReport, on: reports[1] as LoadReport };
      for (const mode of modes) {
        const confirmed = report[mode].paths[0]?.outcomes['CONFIRMED'] ?? 0;
        const perSaga = CpuMeter.perUnit(before[mode], meters[mode].read(), confirmed);
        // The bench process drives both stacks: it is nobody's cost.
        const cpu = (perSaga['total'] ?? 0) - (perSaga['bench driver'] ?? 0);
        const terminal = report[mode].paths[0]?.terminalMs;
        if (!report[mode].clean) log(`  ⚠ tracing ${mode}: not every order ended as expected`);
        cpuMsPerSaga[mode].push(cpu);
        if (terminal) {
          p99[mode].push(terminal.p99);
          p50[mode].push(terminal.p50);
        }
        log(
          `  saga round ${roundIndex + 1} tracing ${mode}: ${confirmed} confirmed, ` +
            `p50 ${terminal?.p50 ?? '–'} ms, p99 ${terminal?.p99 ?? '–'} ms, CPU ${round(cpu, 1)} ms/saga`,
        );
      }
    }
  } finally {
    for (const mode of modes) {
      await trackers[mode]?.close();
      await stacks[mode]?.stop();
    }
  }
  const cpu = { off: median(cpuMsPerSaga.off), on: median(cpuMsPerSaga.on) };
  const p99Median = { off: median(p99.off), on: median(p99.on) };
  const p50Median = { off: median(p50.off), on: median(p50.on) };
  const figures: Figure[] = [
    {
      metric: 'throughput_loss_pct',
      subject: 'orderly',
      value: round((1 - cpu.off / cpu.on) * 100, 1),
      unit: '%',
    },
    { metric: 'added_p99_ms', subject: 'orderly', value: round(p99Median.on - p99Median.off, 1), unit: 'ms' },
    { metric: 'added_p50_ms', subject: 'orderly', value: round(p50Median.on - p50Median.off, 1), unit: 'ms' },
    { metric: 'saga_cpu_ms_tracing_off', subject: 'orderly', value: round(cpu.off, 1), unit: 'ms' },
    { metric: 'saga_cpu_ms_tracing_on', subject: 'orderly', value: round(cpu.on, 1), unit: 'ms' },
    { metric: 'saga_p99_tracing_off', subject: 'orderly', value: round(p99Median.off, 1), unit: 'ms' },
    { metric: 'saga_p99_tracing_on', subject: 'orderly', value: round(p99Median.on, 1), unit: 'ms' },
  ];
  return {
    figures,
    details: {
      ratePerS: settings.sagaRatePerS,
      seconds: settings.sagaSeconds,
      cpuMsPerSaga,
      p99,
      p50,
    },
  };
}
