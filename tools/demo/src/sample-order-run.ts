import { randomUUID } from 'node:crypto';
import type { OrdersClient, OrderView, ProductView } from '@orderly/local-stack';
import type { SampleOrder } from './sample-orders';

export interface SampleOrderResult {
  sample: SampleOrder;
  /** The order as last seen (settled unless `problem` says otherwise). */
  order?: OrderView;
  /** From placing the order to its saga's end, as the client saw it. */
  elapsedMs: number;
  /** Why the sample did not reach its expected outcome; undefined when it did. */
  problem?: string;
}

export interface RunOptions {
  /** How long each order may take to settle (saga deadlines × attempts + compensation). */
  settleTimeoutMs: number;
  progress?: (line: string) => void;
}

/**
 * Places the sample orders one after another, each once the previous one settled, so that each summary
 * shows the time its own saga took. Never throws for one order's failure: the result says what happened.
 */
export async function runSampleOrders(
  orders: OrdersClient,
  catalogue: readonly ProductView[],
  samples: readonly SampleOrder[],
  { settleTimeoutMs, progress = () => undefined }: RunOptions,
): Promise<SampleOrderResult[]> {
  const results: SampleOrderResult[] = [];
  for (const [index, sample] of samples.entries()) {
    const result = await runSampleOrder(orders, catalogue, sample, settleTimeoutMs, progress);
    progress(
      `${index + 1}/${samples.length} ${sample.name}: ${result.order?.status ?? 'not placed'}` +
        ` after ${(result.elapsedMs / 1000).toFixed(1)} s${result.problem ? ` ✖ ${result.problem.split('\n')[0]}` : ''}`,
    );
    results.push(result);
  }
  return results;
}

async function runSampleOrder(
  orders: OrdersClient,
  catalogue: readonly ProductView[],
  sample: SampleOrder,
  settleTimeoutMs: number,
  progress: (line: string) => void,
): Promise<SampleOrderResult> {
  const started = Date.now();
  let order: OrderView | undefined;
  try {
    order = await orders.place(sample.request(catalogue), randomUUID());
    if (sample.cancelAfterSent) {
      const type = sample.cancelAfterSent;
      await orders.waitFor(
        order.id,
        (o) => !!o.saga?.timeline.some((e) => e.direction === 'sent' && e.messageType === type),
        `waiting on ${type}`,
        { timeoutMs: settleTimeoutMs },
      );
      const status = await orders.cancel(order.id);
      progress(`cancelled order ${order.id} while its saga waits for ${type} (HTTP ${status})`);
      if (status !== 202) throw new Error(`POST /orders/${order.id}/cancel answered ${status}, not 202`);
    }
    order = await orders.waitUntilSettled(order.id, { timeoutMs: settleTimeoutMs });
    const elapsedMs = Date.now() - started;
    const problem =
      order.status !== sample.expected
        ? `ended ${order.status}, expected ${sample.expected}`
        : order.saga?.status === 'FAILED'
          ? 'its saga FAILED (needs an operator)'
          : sample.check?.(order);
    return { sample, order, elapsedMs, problem };
  } catch (error) {
    return { sample, order, elapsedMs: Date.now() - started, problem: (error as Error).message };
  }
}
