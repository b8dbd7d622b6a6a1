import { randomBytes } from 'node:crypto';
import { type Mix, MixPicker, type OrderPath } from './mix';
import { isExpectedOutcome, type LoadCatalog, orderRequest, SeedCatalog } from './order-requests';
import type { OutcomeTracker } from './outcome-tracker';
import { dueAtMs, dueCount, openLoopSchedule } from './schedule';
import { type LatencySummary, summarize } from './stats';

export interface LoadOptions {
  /** order-service, e.g. http://localhost:3001 */
  baseUrl: string;
  /** Offered orders per second. */
  rate: number;
  durationMs: number;
  mix: Mix;
  tracker: OutcomeTracker;
  catalog?: LoadCatalog;
  /**
   * Orders placed and not yet ended at most. When reached, sending waits (and the wait counts in the
   * latencies, which start at the due time): the generator's memory stays bounded when the system
   * falls behind, and the falling behind is visible in the figures.
   */
  maxInFlight?: number;
  /** How long after its 201 an order may take to end before it counts as unsettled. */
  settleTimeoutMs?: number;
  /** Tells this run's customers apart (default: random). */
  runId?: string;
}

export interface PathReport {
  path: OrderPath;
  sent: number;
  /** 201 answers. */
  accepted: number;
  /** Requests that failed or answered something other than 201 (`status → count`). */
  httpErrors: Record<string, number>;
  /** End states seen (`CONFIRMED → count`, …). */
  outcomes: Record<string, number>;
  /** Ended in a state the path must not reach. */
  unexpected: number;
  /** Not ended within the settle timeout. */
  unsettled: number;
  /** cancel path: the answers to the cancel request (`202 → count`, `409 → count`). */
  cancelAnswers?: Record<string, number>;
  /** Due time → 201. */
  acceptMs?: LatencySummary;
  /** Due time → end state seen, for orders that ended as expected. */
  terminalMs?: LatencySummary;
}

export interface LoadReport {
  runId: string;
  tracker: string;
  offeredRate: number;
  durationMs: number;
  planned: number;
  sent: number;
  /** Orders that reached an end state (any). */
  settled: number;
  /** Ended orders per second, from the first due time to the last end seen. */
  settledPerS: number;
  /** Orders ended as expected per second over the same window, by end state. */
  ratesPerS: Record<string, number>;
  /** From the first due time to the last end seen. */
  elapsedMs: number;
  /** How long after the last due time the last order ended: about one latency when keeping up. */
  drainMs: number;
  /** Worst lateness of a send behind its due time (generator or in-flight bound falling behind). */
  maxSendLagMs: number;
  unexpected: number;
  unsettled: number;
  httpErrors: number;
  paths: PathReport[];
  /** Every order ended as expected, no HTTP error. */
  clean: boolean;
}

interface PathState {
  report: PathReport;
  accept: number[];
  terminal: number[];
}

/**
 * Places orders at an open-loop rate through order-service's HTTP API with a mix of paths, follows each
 * to its end through `tracker`, and reports rates, latencies (from each order's due time) and outcomes.
 */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const { baseUrl, rate, durationMs, mix, tracker } = options;
  const catalog = options.catalog ?? SeedCatalog;
  const maxInFlight = options.maxInFlight ?? 5_000;
  const settleTimeoutMs = options.settleTimeoutMs ?? 30_000;
  const runId = options.runId ?? randomBytes(4).toString('hex');
  const schedule = openLoopSchedule(rate, durationMs);
  const picker = new MixPicker(mix);
  const states = new Map<OrderPath, PathState>(
    mix.map((entry) => [
      entry.path,
      {
        report: {
          path: entry.path,
          sent: 0,
          accepted: 0,
          httpErrors: {},
          outcomes: {},
          unexpected: 0,
          unsettled: 0,
        },
        accept: [],
        terminal: [],
      },
    ]),
  );
  let settled = 0;
  let lastEnd = 0;
  let maxSendLagMs = 0;
  let inFlight = 0;
  let slotFreed: (() => void) | undefined;

  const placeOne = async (index: number, dueAt: number) => {
    const path = picker.next();
    const state = states.get(path);
    if (!state) throw new Error(`no state for path ${path}`);
    const report = state.report;
    report.sent++;
    maxSendLagMs = Math.max(maxSendLagMs, performance.now() - dueAt);
    try {
      const response = await fetch(`${baseUrl}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(orderRequest(path, index, runId, catalog)),
      });
      const text = await response.text();
      if (response.status !== 201) {
        count(report.httpErrors, String(response.status));
        return;
      }
      state.accept.push(performance.now() - dueAt);
      report.accepted++;
      const orderId = (JSON.parse(text) as { id: string }).id;
      const ended = tracker.track(orderId, performance.now() + settleTimeoutMs);
      let cancelAnswer: number | undefined;
      if (path === 'cancel') {
        const cancel = await fetch(`${baseUrl}/orders/${orderId}/cancel`, { method: 'POST' });
        await cancel.text();
        cancelAnswer = cancel.status;
        report.cancelAnswers ??= {};
        count(report.cancelAnswers, String(cancelAnswer));
      }
      const terminal = await ended;
      if (!terminal) {
        report.unsettled++;
        return;
      }
      count(report.outcomes, terminal.status);
      settled++;
      lastEnd = Math.max(lastEnd, terminal.at);
      if (isExpectedOutcome(path, terminal.status, cancelAnswer)) state.terminal.push(terminal.at - dueAt);
      else report.unexpected++;
    } catch (error) {
      count(report.httpErrors, (error as Error).message.slice(0, 80));
    }
  };

  const start = performance.now();
  let next = 0;
  while (next < schedule.count) {
    const due = dueCount(schedule, performance.now() - start);
    while (next < due && inFlight < maxInFlight) {
      const index = next++;
      inFlight++;
      void placeOne(index, start + dueAtMs(schedule, index)).finally(() => {
        inFlight--;
        slotFreed?.();
      });
    }
    if (next >= schedule.count) break;
    if (inFlight >= maxInFlight) {
      await new Promise<void>((resolve) => (slotFreed = resolve));
      slotFreed = undefined;
    } else {
      await sleep(start + dueAtMs(schedule, next) - performance.now());
    }
  }
  while (inFlight > 0) {
    await new Promise<void>((resolve) => (slotFreed = resolve));
    slotFreed = undefined;
  }

  const lastDue = start + dueAtMs(schedule, schedule.count - 1);
  if (settled === 0) lastEnd = lastDue;
  const elapsedMs = Math.max(lastEnd - start, 1);
  const paths = [...states.values()].map(({ report, accept, terminal }) => ({
    ...report,
    acceptMs: summarize(accept),
    terminalMs: summarize(terminal),
  }));
  const ratesPerS: Record<string, number> = {};
  for (const report of paths)
    for (const [status, n] of Object.entries(report.outcomes))
      ratesPerS[status] = (ratesPerS[status] ?? 0) + n;
  for (const status of Object.keys(ratesPerS))
    ratesPerS[status] = round((ratesPerS[status] * 1000) / elapsedMs);
  const total = (pick: (p: PathReport) => number) => paths.reduce((sum, p) => sum + pick(p), 0);
  const unexpected = total((p) => p.unexpected);
  const unsettled = total((p) => p.unsettled);
  const httpErrors = total((p) => Object.values(p.httpErrors).reduce((s, n) => s + n, 0));
  return {
    runId,
    tracker: tracker.name,
    offeredRate: rate,
    durationMs,
    planned: schedule.count,
    sent: total((p) => p.sent),
    settled,
    settledPerS: round((settled * 1000) / elapsedMs),
    ratesPerS,
    elapsedMs: round(elapsedMs),
    drainMs: round(Math.max(0, lastEnd - lastDue)),
    maxSendLagMs: round(maxSendLagMs),
    unexpected,
    unsettled,
    httpErrors,
    paths,
    clean: unexpected === 0 && unsettled === 0 && httpErrors === 0,
  };
}

function count(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
