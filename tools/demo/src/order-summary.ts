import type { OrderView, TimelineEntry } from '@orderly/local-stack';
import type { SampleOrderResult } from './sample-order-run';

const ms = (value: number) => (value < 10_000 ? `${Math.round(value)} ms` : `${(value / 1000).toFixed(1)} s`);
const money = (minor: number, currency: string) => `${(minor / 100).toFixed(2)} ${currency}`;

/** The trace that follows the order through every service (the first timeline entry that carries one). */
export function traceIdOf(order: OrderView): string | undefined {
  return order.saga?.timeline.find((entry) => entry.traceId)?.traceId;
}

/** Each step in the order it first appears, with the time from its first to its last message. */
export function stepTimings(timeline: readonly TimelineEntry[]): Array<{ step: string; ms: number }> {
  const steps = new Map<string, { first: number; last: number }>();
  for (const entry of timeline) {
    const at = Date.parse(entry.at);
    const seen = steps.get(entry.step);
    if (seen) seen.last = Math.max(seen.last, at);
    else steps.set(entry.step, { first: at, last: at });
  }
  return [...steps].map(([step, { first, last }]) => ({ step, ms: last - first }));
}

/** A readable account of one sample order: outcome, saga steps with timings, messages, trace id. */
export function formatSampleResult(
  result: SampleOrderResult,
  orderServiceUrl: string,
  /** Spans of the order's trace per service, when the demo collected them. */
  spans?: Record<string, number>,
  /** Where to see the order's trace (compose mode: Grafana's Explore on Tempo). */
  traceUrl?: string,
): string {
  const { sample, order, elapsedMs, problem } = result;
  const mark = problem ? '✖' : '✔';
  const outcome = !order
    ? `not placed, expected ${sample.expected}`
    : problem
      ? `${order.status}, expected ${sample.expected}`
      : `${order.status}, as expected`;
  const lines = [`${mark} ${sample.name}: ${outcome} (${ms(elapsedMs)})`];
  lines.push(`    ${sample.story}`);
  if (problem) lines.push(`    problem: ${problem}`);
  if (!order) return lines.join('\n');

  const saga = order.saga;
  const facts = [
    `order ${order.id}`,
    `customer ${order.customerId}`,
    money(order.totalMinor, order.currency),
    saga ? `saga ${saga.type} ${saga.status}` : 'no saga',
    `trace ${traceIdOf(order) ?? '(none recorded)'}`,
  ];
  lines.push(`    ${facts.join(' · ')}`);
  if (order.reason) lines.push(`    reason: ${order.reason}`);
  const spanCounts = Object.entries(spans ?? {}).sort(([a], [b]) => a.localeCompare(b));
  if (spanCounts.length > 0) {
    const total = spanCounts.reduce((sum, [, count]) => sum + count, 0);
    lines.push(
      `    trace: ${total} spans from ${spanCounts.map(([service, count]) => `${service} ${count}`).join(', ')}`,
    );
  }
  if (traceUrl) lines.push(`    trace in Grafana: ${traceUrl}`);
  const first = saga?.timeline[0];
  if (saga && first) {
    lines.push(
      `    steps: ${stepTimings(saga.timeline)
        .map((s) => `${s.step} ${ms(s.ms)}`)
        .join(' → ')}`,
    );
    const start = Date.parse(first.at);
    const width = Math.max(...saga.timeline.map((e) => e.messageType.length));
    for (const entry of saga.timeline) {
      const arrow = entry.direction === 'sent' ? '→' : '←';
      const offset = `+${ms(Date.parse(entry.at) - start)}`.padStart(9);
      lines.push(
        `    ${offset}  ${arrow} ${entry.messageType.padEnd(width)}  ${entry.step} #${entry.attempt}  ${entry.outcome}`,
      );
    }
  }
  lines.push(`    timeline: GET ${orderServiceUrl}/orders/${order.id}`);
  return lines.join('\n');
}
