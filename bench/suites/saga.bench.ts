// The place-order saga end to end: all four services, the broker and PostgreSQL on this machine.
// See bench/README.md ("The saga suite").
import { formatReport, type LoadReport, OrderEventsTracker, parseMix, runLoad } from '@orderly/load';
import { readBenchSettings } from '../lib/bench-settings';
import { type BenchSuite, type Figure, round, withRatios } from '../lib/bench-suite';
import { describeLoad, machineLoad } from './outbox/machine-load';
import os from 'node:os';
import { CpuMeter, findRabbitMqNode } from './saga/cpu-meter';
import { type SagaBenchSettings, sagaBenchSettings } from './saga/saga-bench-settings';
import { deadLettered, waitForQuiet } from './saga/quiet';
import { startSagaStack } from './saga/saga-stack';

interface Step {
  offeredRate: number;
  keptUp: boolean;
  report: LoadReport;
}

export const suite: BenchSuite = {
  name: 'saga',
  description:
    'place-order saga over the four services: sustained sagas/s, latency at half rate, compensations/s',
  async run({ broker, log }) {
    const settings = sagaBenchSettings(readBenchSettings().scale);
    const loadAtStart = machineLoad();
    log(`machine at start: ${describeLoad(loadAtStart)}`);
    const stack = await startSagaStack(broker, settings, log);
    const tracker = await OrderEventsTracker.start(stack.adminAmqpUrl);
    const settle = async () => {
      const queued = await waitForQuiet(stack.vhost, settings.quietTimeoutMs);
      if (queued > 0) log(`⚠ ${queued} messages still queued after ${settings.quietTimeoutMs / 1000} s`);
      await pause(settings.pauseMs);
    };
    const load = (rate: number, durationMs: number, mix: string) =>
      runLoad({
        baseUrl: stack.orderUrl,
        rate,
        durationMs,
        mix: parseMix(mix),
        tracker,
        catalog: settings.catalog,
        settleTimeoutMs: settings.settleTimeoutMs,
        maxInFlight: settings.maxInFlight,
      });
    try {
      log(`warm-up: ${settings.warmup.rate}/s for ${settings.warmup.durationMs / 1000} s`);
      const warmup = await load(settings.warmup.rate, settings.warmup.durationMs, 'success=1');
      if (!warmup.clean) log(`⚠ warm-up not clean:\n${formatReport(warmup)}`);

      log('ramp (success orders): offered rate → ended as confirmed per s, drain, p99 to confirmed');
      const ramp = await rampUp(settings.rampRates, 'success=1', 'CONFIRMED', settings, settle, load, log);
      const sustained = best(ramp, 'CONFIRMED');
      // When no step kept up, the best rate seen is reported (and flagged): the machine was overloaded.
      const sagasPerS = rateOf(sustained ?? highest(ramp, 'CONFIRMED'), 'CONFIRMED');
      if (!sustained) log('⚠ even the lowest step did not keep up: reporting the highest confirmed/s seen');

      const halfRate = Math.max(1, Math.round(sagasPerS / 2));
      log(`half rate: ${halfRate}/s for ${settings.halfRateMs / 1000} s`);
      await settle();
      // CPU charged to each process over the half-rate step, per saga: what one saga costs this machine,
      // and so the most sagas/s its cores could run even with no waiting anywhere.
      const brokerPid = findRabbitMqNode(`orderly-bench-${process.pid}@localhost`);
      const meter = new CpuMeter([
        ...stack.processes(),
        ...(brokerPid ? [{ name: 'rabbitmq', pid: brokerPid }] : []),
      ]);
      const cpuBefore = meter.read();
      const half = await load(halfRate, settings.halfRateMs, 'success=1');
      const halfSuccess = half.paths[0];
      const cpuMsPerSaga = CpuMeter.perUnit(cpuBefore, meter.read(), halfSuccess?.outcomes['CONFIRMED'] ?? 0);
      const cores = os.cpus().length;
      const cpuCeiling = cpuMsPerSaga['total'] ? (cores * 1000) / cpuMsPerSaga['total'] : 0;
      log(formatReport(half));
      log(
        `CPU per saga: ${Object.entries(cpuMsPerSaga)
          .map(([name, ms]) => `${name} ${ms} ms`)
          .join(', ')} → at most ${round(cpuCeiling, 1)} sagas/s on ${cores} cores`,
      );

      const startAt = settings.rampRates.filter((r) => r <= halfRate).at(-1) ?? settings.rampRates[0];
      const compensationRates = settings.rampRates
        .filter((r) => r >= startAt)
        .slice(0, settings.compensationSteps);
      log('compensation ramp (declined orders: reserve, declined, release, rejected)');
      const compensation = await rampUp(
        compensationRates,
        'declined=1',
        'REJECTED',
        settings,
        settle,
        load,
        log,
      );
      const compensated = best(compensation, 'REJECTED');
      const compensatedPerS = rateOf(compensated ?? highest(compensation, 'REJECTED'), 'REJECTED');

      // Long enough for `mixMinOrders` orders, so that even a low half rate sends every path.
      const mixMs = Math.max(settings.mixMs, (settings.mixMinOrders * 1000) / halfRate);
      log(`mixed paths at half rate (${settings.mix}) for ${mixMs / 1000} s`);
      await settle();
      const mixed = await load(halfRate, mixMs, settings.mix);
      log(formatReport(mixed));
      await settle();
      const parked = await deadLettered(stack.vhost);
      if (Object.keys(parked).length > 0)
        log(`⚠ messages parked in dead-letter queues: ${JSON.stringify(parked)}`);

      const figures: Figure[] = [
        { metric: 'sagas_completed_per_s', subject: 'orderly', value: round(sagasPerS, 1), unit: 'sagas/s' },
        ...latencyFigures(half),
        { metric: 'cpu_ms_per_saga', subject: 'orderly', value: cpuMsPerSaga['total'] ?? 0, unit: 'ms' },
        {
          metric: 'cpu_ceiling_sagas_per_s',
          subject: 'orderly',
          value: round(cpuCeiling, 1),
          unit: 'sagas/s',
        },
        {
          metric: 'compensated_sagas_per_s',
          subject: 'orderly',
          value: round(compensatedPerS, 1),
          unit: 'sagas/s',
        },
      ];
      const loadAtEnd = machineLoad();
      log(`machine at end: ${describeLoad(loadAtEnd)}`);
      const targets = {
        sagas_completed_per_s: { target: '>= 300', met: sagasPerS >= 300 },
        p99_ms_at_half_rate: {
          target: '<= 150',
          met: halfSuccess?.terminalMs !== undefined && halfSuccess.terminalMs.p99 <= 150,
        },
      };
      return {
        figures: withRatios(figures, 'post-201'),
        details: {
          machineLoad: { atStart: loadAtStart, atEnd: loadAtEnd },
          deadLettered: parked,
          database: stack.databaseSettings,
          settings: { ...settings, rampRates: [...settings.rampRates] },
          targets,
          sustainedStep: sustained?.offeredRate,
          sustainedKeptUp: sustained !== undefined,
          compensationStep: compensated?.offeredRate,
          compensationKeptUp: compensated !== undefined,
          halfRate,
          cpuMsPerSaga,
          ramp: ramp.map(summaryOf),
          compensation: compensation.map(summaryOf),
          half,
          mixed,
          warmup: summaryOf({ offeredRate: warmup.offeredRate, keptUp: warmup.clean, report: warmup }),
        },
      };
    } finally {
      await tracker.close();
      await stack.stop();
    }
  },
};

/**
 * Offers each rate in turn until one does not keep up: some order did not end as expected, or the
 * last order ended more than `keepUpDrainMs` after the last send (a backlog that grows with time).
 */
async function rampUp(
  rates: readonly number[],
  mix: string,
  status: string,
  settings: SagaBenchSettings,
  settle: () => Promise<void>,
  load: (rate: number, durationMs: number, mix: string) => Promise<LoadReport>,
  log: (line: string) => void,
): Promise<Step[]> {
  const steps: Step[] = [];
  const queue = [...rates];
  let refined = false;
  for (let rate = queue.shift(); rate !== undefined; rate = queue.shift()) {
    await settle();
    const report = await load(rate, settings.stepMs, mix);
    const keptUp = report.clean && report.drainMs <= settings.keepUpDrainMs;
    steps.push({ offeredRate: rate, keptUp, report });
    const path = report.paths[0];
    log(
      `  ${String(rate).padStart(4)}/s → ${report.ratesPerS[status] ?? 0} ${status.toLowerCase()}/s, ` +
        `drain ${Math.round(report.drainMs)} ms, p99 ${path?.terminalMs?.p99 ?? '–'} ms, send lag ${Math.round(report.maxSendLagMs)} ms` +
        `${report.clean ? '' : `, unexpected ${report.unexpected}, unsettled ${report.unsettled}, HTTP errors ${report.httpErrors}`}` +
        `${keptUp ? '' : '  ← does not keep up'}`,
    );
    if (keptUp) continue;
    const lastGood = steps.filter((s) => s.keptUp).at(-1)?.offeredRate;
    const halfway = lastGood === undefined ? undefined : Math.round((lastGood + rate) / 2);
    if (refined || lastGood === undefined || halfway === undefined || halfway <= lastGood || halfway >= rate)
      break;
    // One step between the last rate that kept up and this one narrows the answer without a long ramp.
    refined = true;
    queue.splice(0, queue.length, halfway);
  }
  return steps;
}

function best(steps: readonly Step[], status: string): Step | undefined {
  return highest(
    steps.filter((s) => s.keptUp),
    status,
  );
}

function highest(steps: readonly Step[], status: string): Step | undefined {
  return [...steps].sort((a, b) => rateOf(b, status) - rateOf(a, status))[0];
}

function rateOf(step: Step | undefined, status: string): number {
  return step?.report.ratesPerS[status] ?? 0;
}

/** Order-to-confirmed latency, and beside it the same orders' time to 201 (the HTTP path alone). */
function latencyFigures(half: LoadReport): Figure[] {
  const path = half.paths[0];
  const figures: Figure[] = [];
  for (const [metric, pick] of [
    ['p50_ms_at_half_rate', 'p50'],
    ['p99_ms_at_half_rate', 'p99'],
  ] as const) {
    if (path?.terminalMs)
      figures.push({ metric, subject: 'orderly', value: path.terminalMs[pick], unit: 'ms' });
    if (path?.acceptMs) figures.push({ metric, subject: 'post-201', value: path.acceptMs[pick], unit: 'ms' });
  }
  return figures;
}

function summaryOf(step: Step) {
  const { report } = step;
  const path = report.paths[0];
  return {
    offeredRate: step.offeredRate,
    keptUp: step.keptUp,
    ratesPerS: report.ratesPerS,
    drainMs: report.drainMs,
    maxSendLagMs: report.maxSendLagMs,
    unexpected: report.unexpected,
    unsettled: report.unsettled,
    httpErrors: report.httpErrors,
    acceptMs: path?.acceptMs,
    terminalMs: path?.terminalMs,
  };
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
