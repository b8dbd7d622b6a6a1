import type { BenchBroker } from '../../lib/bench-broker';
import { round, type Figure } from '../../lib/bench-suite';
import { median, percentile } from '../../lib/percentile';
import { messagingLatencies, messagingThroughput } from './messaging-load';
import { startTracedService, TRACED_MESSAGING, type TracedService } from './traced-service';
import type { TracingSettings } from './tracing-settings';

type Mode = 'off' | 'on';
const modes: Mode[] = ['off', 'on'];

/**
 * The publish/consume path with tracing off and on: two services (traced-messaging.main.ts) with the
 * default messaging hooks, one without OTEL_* variables (the hooks only propagate `traceparent` and
 * count), one recording every span (100% sampling) and exporting it to the sink. Each has its own
 * queue on the same broker; they are loaded at the same time, round after round, so whatever else the
 * machine does slows both alike.
 */
export async function measureMessagingTracing(options: {
  broker: BenchBroker;
  sinkEndpoint: string;
  settings: TracingSettings;
  freePort: () => Promise<number>;
  log: (line: string) => void;
}): Promise<{ figures: Figure[]; details: Record<string, unknown> }> {
  const { settings, log } = options;
  const vhost = await options.broker.createVhost('bench-tracing');
  const envOf = (mode: Mode): Record<string, string> => ({
    AMQP_URL: vhost.amqpUrl,
    BENCH_QUEUE: `bench-service.tracing-${mode}`,
    BENCH_EXCHANGE: `bench.tracing-${mode}`,
    ...(mode === 'on' ? { OTEL_EXPORTER_OTLP_ENDPOINT: options.sinkEndpoint, OTEL_TRACES_SAMPLER: 'always_on' } : {}),
  });
  const throughput: Record<Mode, number[]> = { off: [], on: [] };
  const latencies: Record<Mode, number[]> = { off: [], on: [] };
  const cpuPerMessageUs: Record<Mode, number[]> = { off: [], on: [] };
  try {
    for (let round = 0; round < settings.messagingRounds; round += 1) {
      const services: Record<Mode, TracedService> = {
        off: await startTracedService(await options.freePort(), envOf('off'), { program: TRACED_MESSAGING, readyPath: '/ready' }),
        on: await startTracedService(await options.freePort(), envOf('on'), { program: TRACED_MESSAGING, readyPath: '/ready' }),
      };
      try {
        await Promise.all(modes.map((mode) => messagingThroughput(services[mode], settings.messagingConcurrency, settings.messagingWarmupSeconds)));
        const cpuBefore = { off: services.off.cpuSeconds(), on: services.on.cpuSeconds() };
        const [loadOff, loadOn] = await Promise.all(
          modes.map((mode) => messagingThroughput(services[mode], settings.messagingConcurrency, settings.messagingThroughputSeconds)),
        );
        const load = { off: loadOff, on: loadOn };
        const cpuAfter = { off: services.off.cpuSeconds(), on: services.on.cpuSeconds() };
        const [latOff, latOn] = await Promise.all(
          modes.map((mode) => messagingLatencies(services[mode], settings.messagingLatencyRatePerS, settings.messagingLatencySeconds)),
        );
        const samples = { off: latOff, on: latOn };
        for (const mode of modes) {
          throughput[mode].push(load[mode].perSecond);
          latencies[mode].push(...samples[mode]);
          const before = cpuBefore[mode];
          const after = cpuAfter[mode];
          const cpuUs = before === undefined || after === undefined ? undefined : ((after - before) * 1e6) / load[mode].messages;
          if (cpuUs !== undefined) cpuPerMessageUs[mode].push(cpuUs);
          log(
            `messaging round ${round + 1} tracing ${mode}: ${load[mode].perSecond.toFixed(0)} msg/s, ` +
              `p99 ${percentile(samples[mode], 99).toFixed(2)} ms, CPU ${cpuUs?.toFixed(0) ?? '?'} µs/message`,
          );
        }
      } finally {
        await Promise.all(modes.map((mode) => services[mode].stop()));
      }
    }
  } finally {
    await vhost.dispose();
  }

  const rate = { off: median(throughput.off), on: median(throughput.on) };
  const p99 = { off: percentile(latencies.off, 99), on: percentile(latencies.on, 99) };
  const p50 = { off: percentile(latencies.off, 50), on: percentile(latencies.on, 50) };
  const figures: Figure[] = [
    { metric: 'messaging_throughput_loss_pct', subject: 'orderly', value: round((1 - rate.on / rate.off) * 100, 1), unit: '%' },
    { metric: 'messaging_added_p99_ms', subject: 'orderly', value: round(p99.on - p99.off, 2), unit: 'ms' },
    { metric: 'messaging_added_p50_ms', subject: 'orderly', value: round(p50.on - p50.off, 2), unit: 'ms' },
    { metric: 'messaging_throughput_tracing_off', subject: 'orderly', value: round(rate.off, 0), unit: 'msg/s' },
    { metric: 'messaging_throughput_tracing_on', subject: 'orderly', value: round(rate.on, 0), unit: 'msg/s' },
    { metric: 'messaging_p99_tracing_off', subject: 'orderly', value: round(p99.off, 2), unit: 'ms' },
    { metric: 'messaging_p99_tracing_on', subject: 'orderly', value: round(p99.on, 2), unit: 'ms' },
  ];
  if (cpuPerMessageUs.off.length > 0 && cpuPerMessageUs.on.length > 0) {
    const cpu = { off: median(cpuPerMessageUs.off), on: median(cpuPerMessageUs.on) };
    figures.push(
      { metric: 'messaging_cpu_per_message_tracing_off', subject: 'orderly', value: round(cpu.off, 0), unit: 'µs' },
      { metric: 'messaging_cpu_per_message_tracing_on', subject: 'orderly', value: round(cpu.on, 0), unit: 'µs' },
      // A message is published and handled by the same service here: two spans per message.
      { metric: 'messaging_throughput_loss_cpu_bound_pct', subject: 'orderly', value: round((1 - cpu.off / cpu.on) * 100, 1), unit: '%' },
    );
  }
  return {
    figures,
    details: {
      throughputOff: throughput.off.map((v) => round(v, 0)),
      throughputOn: throughput.on.map((v) => round(v, 0)),
    },
  };
}
