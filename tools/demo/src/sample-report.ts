import { listProducts, OrdersClient, type OrderView } from '@orderly/local-stack';
import { formatSampleResult, traceIdOf } from './order-summary';
import { runSampleOrders, type SampleOrderResult } from './sample-order-run';
import { SampleOrders } from './sample-orders';

export interface SampleReportOptions {
  orderUrl: string;
  inventoryUrl: string;
  /** How long each order may take to settle on this stack (its saga deadlines). */
  settleTimeoutMs: number;
  progress: (line: string) => void;
  /** Spans of an order's trace per service, where the demo collects them itself (local mode). */
  spansOf?: (order?: OrderView) => Promise<Record<string, number> | undefined>;
  /** Where to see a trace (compose mode: Grafana's Explore on Tempo). */
  traceUrl?: (traceId: string) => string;
}

/**
 * The part of the demo both modes share: places the sample orders against a running stack, prints a
 * summary of each, the verdict and the stock afterwards. Answers the results (a sample with a `problem`
 * did not reach its expected outcome).
 */
export async function placeSampleOrdersAndReport(options: SampleReportOptions): Promise<SampleOrderResult[]> {
  const { orderUrl, inventoryUrl, progress } = options;
  const catalogue = await listProducts(inventoryUrl);
  progress(`placing ${SampleOrders.length} sample orders: ${SampleOrders.map((s) => s.name).join(', ')}…`);
  const results = await runSampleOrders(new OrdersClient(orderUrl), catalogue, SampleOrders, {
    settleTimeoutMs: options.settleTimeoutMs,
    progress,
  });
  const failed = results.filter((r) => r.problem);
  const summaries = [];
  for (const result of results) {
    const traceId = result.order && traceIdOf(result.order);
    summaries.push(
      formatSampleResult(
        result,
        orderUrl,
        await options.spansOf?.(result.order),
        traceId ? options.traceUrl?.(traceId) : undefined,
      ),
    );
  }
  process.stdout.write(`\n${summaries.join('\n\n')}\n\n`);
  progress(
    failed.length === 0
      ? `all ${results.length} sample orders reached their expected outcome.`
      : `✖ ${failed.length} of ${results.length} sample orders did not: ${failed.map((r) => r.sample.name).join(', ')}`,
  );

  const products = await listProducts(inventoryUrl);
  process.stdout.write('\nStock after the sample orders:\n');
  console.table(
    products.map(({ sku, name, available, reserved, sold }) => ({ sku, name, available, reserved, sold })),
  );
  return results;
}
