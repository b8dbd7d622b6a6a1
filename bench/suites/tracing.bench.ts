import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { readBenchSettings } from '../lib/bench-settings';
import { round, type BenchSuite, type Figure } from '../lib/bench-suite';
import { median, percentile } from '../lib/percentile';
import { measureLatencies, measureThroughput, warmUp } from './tracing/http-load';
import { measureMessagingTracing } from './tracing/messaging-rounds';
import { measureSagaTracing } from './tracing/saga-rounds';
import { startSpanSink } from './tracing/span-sink';
import { startTracedService } from './tracing/traced-service';
import { tracingSettings } from './tracing/tracing-settings';

type Mode = 'off' | 'on';
const modes: Mode[] = ['off', 'on'];

/**
 * What tracing costs, in three parts, each run with tracing off and on side by side in the same run:
 *
 * - the place-order saga (the issue's `throughput_loss_pct` and `added_p99_ms`): two whole stacks
 *   (four services, databases, broker vhost), one traced at 100% sampling, the same order rate on both
 *   (see tracing/saga-rounds.ts);
 * - a request: a Nest service doing HTTP → log line → one SQL query, run twice as a process, with
 *   tracing off (no OTEL_* variables: nothing patched, nothing recorded) and on (http and pg
 *   auto-instrumentation, 100% sampling, spans exported over OTLP/HTTP to a sink in this process that
 *   only counts bytes, so that the suite measures the service's side of export, not a trace backend's);
 * - a message (`messaging_*` figures): publish with confirm → deliver → handle → ack, through
 *   AmqpClient and AmqpServer with their default hooks (publish and process spans, metrics), off and on
 *   as above (see tracing/messaging-rounds.ts).
 *
 * Throughput in a closed loop, p99 latency at a steady rate, and each service's CPU time per request
 * or message; the two services run side by side and are loaded at the same time, round after round.
 */
export const suite: BenchSuite = {
  name: 'tracing',
  description: 'cost of tracing at 100% sampling (http + pg auto-instrumentation, OTLP export) per request',
  async run({ broker, log }) {
    const settings = tracingSettings(readBenchSettings());
    const loadBefore = loadavg()[0];
    const { PostgresServer, freePort } = await import('@orderly/local-servers');
    const dataDir = path.resolve(__dirname, '../../.local/bench', `tracing-postgres-${process.pid}`);
    rmSync(dataDir, { recursive: true, force: true });
    const postgres = new PostgresServer({
      dataDir,
      port: await freePort(),
      password: `bench-${randomBytes(6).toString('hex')}`,
    });
    const sink = await startSpanSink();
    await postgres.start();
    const env: Record<Mode, Record<string, string>> = {
      off: { DATABASE_URL: postgres.adminUrl },
      on: {
        DATABASE_URL: postgres.adminUrl,
        OTEL_EXPORTER_OTLP_ENDPOINT: sink.endpoint,
        OTEL_TRACES_SAMPLER: 'always_on',
        OTEL_NODE_DISABLED_INSTRUMENTATIONS: settings.disabledInstrumentations,
      },
    };
    if (settings.disabledInstrumentations) {
      log(`traced side without these instrumentations: ${settings.disabledInstrumentations}`);
    }
    const throughput: Record<Mode, number[]> = { off: [], on: [] };
    const latencies: Record<Mode, number[]> = { off: [], on: [] };
    const cpuPerRequestUs: Record<Mode, number[]> = { off: [], on: [] };
    let messaging: Awaited<ReturnType<typeof measureMessagingTracing>>;
    let saga: Awaited<ReturnType<typeof measureSagaTracing>>;
    try {
      for (let round = 0; round < settings.rounds; round += 1) {
        // Both services run side by side and are measured over the same seconds: whatever else the
        // machine does then slows both alike (a shared 2-core machine varies by 2x from minute to minute).
        const services = {
          off: await startTracedService(await freePort(), env.off),
          on: await startTracedService(await freePort(), env.on),
        };
        try {
          const url = (mode: Mode) => `${services[mode].url}/work`;
          await Promise.all(modes.map((mode) => warmUp(url(mode), settings.warmupRequests)));
          const cpuBefore = { off: services.off.cpuSeconds(), on: services.on.cpuSeconds() };
          const [loadOff, loadOn] = await Promise.all(
            modes.map((mode) =>
              measureThroughput(url(mode), settings.concurrency / 2, settings.throughputSeconds),
            ),
          );
          const load = { off: loadOff, on: loadOn };
          const cpuAfter = { off: services.off.cpuSeconds(), on: services.on.cpuSeconds() };
          const [latOff, latOn] = await Promise.all(
            modes.map((mode) =>
              measureLatencies(url(mode), settings.latencyRatePerS, settings.latencySeconds),
            ),
          );
          const samples = { off: latOff, on: latOn };
          for (const mode of modes) {
            throughput[mode].push(load[mode].perSecond);
            latencies[mode].push(...samples[mode]);
            const before = cpuBefore[mode];
            const after = cpuAfter[mode];
            const cpuUs =
              before === undefined || after === undefined
                ? undefined
                : ((after - before) * 1e6) / load[mode].requests;
            if (cpuUs !== undefined) cpuPerRequestUs[mode].push(cpuUs);
            log(
              `round ${round + 1} tracing ${mode}: ${load[mode].perSecond.toFixed(0)} req/s, ` +
                `p99 ${percentile(samples[mode], 99).toFixed(2)} ms, CPU ${cpuUs?.toFixed(0) ?? '?'} µs/request`,
            );
          }
        } finally {
          await Promise.all(modes.map((mode) => services[mode].stop()));
        }
      }
      messaging = await measureMessagingTracing({
        broker,
        sinkEndpoint: sink.endpoint,
        settings,
        freePort,
        log,
      });
      saga = await measureSagaTracing({ broker, sinkEndpoint: sink.endpoint, settings, log });
    } finally {
      await sink.close();
      await postgres.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }

    const rps = { off: median(throughput.off), on: median(throughput.on) };
    const p99 = { off: percentile(latencies.off, 99), on: percentile(latencies.on, 99) };
    const p50 = { off: percentile(latencies.off, 50), on: percentile(latencies.on, 50) };
    const cpu =
      cpuPerRequestUs.off.length > 0
        ? { off: median(cpuPerRequestUs.off), on: median(cpuPerRequestUs.on) }
        : undefined;
    const figures: Figure[] = [
      ...saga.figures,
      {
        metric: 'request_throughput_loss_pct',
        subject: 'orderly',
        value: round((1 - rps.on / rps.off) * 100, 1),
        unit: '%',
      },
      { metric: 'request_added_p99_ms', subject: 'orderly', value: round(p99.on - p99.off, 2), unit: 'ms' },
      { metric: 'request_added_p50_ms', subject: 'orderly', value: round(p50.on - p50.off, 2), unit: 'ms' },
      { metric: 'throughput_tracing_off', subject: 'orderly', value: round(rps.off, 0), unit: 'req/s' },
      { metric: 'throughput_tracing_on', subject: 'orderly', value: round(rps.on, 0), unit: 'req/s' },
      { metric: 'p99_tracing_off', subject: 'orderly', value: round(p99.off, 2), unit: 'ms' },
      { metric: 'p99_tracing_on', subject: 'orderly', value: round(p99.on, 2), unit: 'ms' },
      ...(cpu
        ? [
            {
              metric: 'cpu_per_request_tracing_off',
              subject: 'orderly' as const,
              value: round(cpu.off, 0),
              unit: 'µs',
            },
            {
              metric: 'cpu_per_request_tracing_on',
              subject: 'orderly' as const,
              value: round(cpu.on, 0),
              unit: 'µs',
            },
            // What a CPU-bound service loses in throughput: 1 − cpu_off / cpu_on.
            {
              metric: 'throughput_loss_cpu_bound_pct',
              subject: 'orderly' as const,
              value: round((1 - cpu.off / cpu.on) * 100, 1),
              unit: '%',
            },
          ]
        : []),
      ...messaging.figures,
    ];
    return {
      figures,
      details: {
        settings,
        otlpBytesReceived: sink.bytes(),
        // Other work on the machine inflates every figure; the two services share it alike.
        loadAverage1m: { before: round(loadBefore, 2), after: round(loadavg()[0], 2) },
        rounds: {
          throughputOff: throughput.off.map((v) => round(v, 0)),
          throughputOn: throughput.on.map((v) => round(v, 0)),
          messaging: messaging.details,
          saga: saga.details,
        },
        targets: {
          throughput_loss_pct: '≤ 5',
          added_p99_ms: '≤ 1',
          request_throughput_loss_pct: '≤ 5',
          request_added_p99_ms: '≤ 1',
          messaging_throughput_loss_pct: '≤ 5',
          messaging_added_p99_ms: '≤ 1',
        },
      },
    };
  },
};
