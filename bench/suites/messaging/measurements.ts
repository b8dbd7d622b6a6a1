import { performance } from 'node:perf_hooks';
import type { BenchVhost } from '../../lib/bench-broker';
import { benchMessage } from './bench-message';
import type { MessagingAdapter } from './messaging-adapter';

/** The same measurement code for every subject: only the adapter differs. */
export interface MeasureOptions {
  vhost: BenchVhost;
  messageBytes: number;
  publishWindow: number;
  drainTimeoutMs: number;
}

/**
 * Confirmed publishes per second: `count` messages with at most `publishWindow` unconfirmed at once,
 * from the first send to the last confirm. Opening the connection is not timed.
 */
export async function measurePublish(
  adapter: MessagingAdapter,
  queue: string,
  count: number,
  options: MeasureOptions,
): Promise<number> {
  const endpoint = await adapter.open(queue, {});
  try {
    const started = performance.now();
    await inWindow(count, options.publishWindow, (seq) =>
      endpoint.send(benchMessage(seq, options.messageBytes)),
    );
    return perSecond(count, performance.now() - started);
  } finally {
    await endpoint.close();
  }
}

/**
 * Consumed-and-acknowledged messages per second, draining `count` messages already in the queue: from
 * the first delivery to the last (starting a consumer is not timed). A subject that did not acknowledge
 * would stall after `prefetch` deliveries and time out here.
 *
 * Resolves with the rate and how many deliveries the broker put back into the queue when the consumer
 * closed. On quorum queues (3.10) acks the channel sent just before closing can still be unapplied and
 * those messages come back (at-least-once, not a subject's fault), so we wait `ackSettleMs` first and
 * report what remains rather than fail.
 */
export async function measureConsume(
  adapter: MessagingAdapter,
  queue: string,
  count: number,
  options: MeasureOptions,
): Promise<{ perSecond: number; returnedOnClose: number }> {
  let received = 0;
  let first = 0;
  const done = deferred<number>();
  const endpoint = await adapter.open(queue, {
    onMessage: () => {
      const now = performance.now();
      if (received++ === 0) first = now;
      if (received === count) done.resolve(now);
    },
  });
  let last: number;
  try {
    last = await within(
      done.promise,
      options.drainTimeoutMs,
      () => `${adapter.subject} consumed ${received} of ${count} messages`,
    );
    await sleep(ackSettleMs);
  } finally {
    await endpoint.close();
  }
  await sleep(ackSettleMs);
  return {
    perSecond: perSecond(count - 1, last - first),
    returnedOnClose: await options.vhost.readyMessages(queue),
  };
}

/**
 * End-to-end latencies (ms) at a fixed rate: one endpoint publishes `ratePerS` messages per second for
 * `durationMs` without waiting for confirms (open loop, as a service emitting events would), and its own
 * consumer records `now − sentAt` in the handler, before the ack.
 */
export async function measureLatency(
  adapter: MessagingAdapter,
  queue: string,
  plan: { ratePerS: number; durationMs: number },
  options: MeasureOptions,
): Promise<number[]> {
  const total = Math.max(1, Math.round((plan.ratePerS * plan.durationMs) / 1000));
  const latencies: number[] = [];
  const allReceived = deferred<void>();
  const endpoint = await adapter.open(queue, {
    onMessage: (message) => {
      latencies.push(performance.now() - message.sentAt);
      if (latencies.length === total) allReceived.resolve();
    },
  });
  const failures: unknown[] = [];
  try {
    await new Promise<void>((resolve) => {
      let sent = 0;
      const started = performance.now();
      // A 1 ms timer loop sends whatever is due by now: the rate holds even when a tick runs late.
      const tick = () => {
        const due = Math.min(total, Math.floor(((performance.now() - started) * plan.ratePerS) / 1000) + 1);
        while (sent < due) {
          endpoint
            .send(benchMessage(sent++, options.messageBytes))
            .catch((error: unknown) => failures.push(error));
        }
        if (sent < total) setTimeout(tick, 1);
        else resolve();
      };
      tick();
    });
    await within(
      allReceived.promise,
      options.drainTimeoutMs,
      () => `${adapter.subject} received ${latencies.length} of ${total} messages`,
    );
    await sleep(ackSettleMs);
  } finally {
    await endpoint.close();
  }
  if (failures.length > 0)
    throw new Error(`${adapter.subject}: ${failures.length} publishes failed, first: ${String(failures[0])}`);
  return latencies;
}

/** Runs `send(0..count-1)` keeping at most `window` of them pending; rejects on the first failure. */
function inWindow(count: number, window: number, send: (seq: number) => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    let next = 0;
    let settled = 0;
    let failed = false;
    const pump = () => {
      while (!failed && next < count && next - settled < window) {
        send(next++).then(
          () => {
            if (++settled === count) resolve();
            else pump();
          },
          (error: unknown) => {
            failed = true;
            reject(error);
          },
        );
      }
    };
    pump();
  });
}

function perSecond(count: number, elapsedMs: number): number {
  return elapsedMs > 0 ? (count * 1000) / elapsedMs : 0;
}

/** Time for the broker to apply the last acknowledgements before a consumer closes. */
const ackSettleMs = 250;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function deferred<T>(): { promise: Promise<T>; resolve(value: T): void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

function within<T>(promise: Promise<T>, timeoutMs: number, progress: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms: ${progress()}`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
