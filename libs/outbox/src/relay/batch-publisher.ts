import type { OutboxRow } from './outbox-row';
import { classifyPublishFailure, type PublishFailure } from './publish-failure';

export type RowOutcome =
  /** Confirmed by the broker at `confirmedAt` (epoch ms, this process's clock). */
  | { row: OutboxRow; status: 'sent'; confirmedAt: number }
  /** The publish failed; `failure.kind` says whether the row is to blame. */
  | { row: OutboxRow; status: 'failed'; failure: PublishFailure }
  /** Not attempted: an earlier row of its aggregate in this batch failed. */
  | { row: OutboxRow; status: 'held-back' };

/**
 * Publishes one claimed batch and says what became of each row. Never throws.
 *
 * Rows of one aggregate form a chain, published one after another, each only after the previous one
 * was confirmed: if one fails, the rest of its chain is held back, so a consumer never sees a later
 * message of an aggregate before an earlier one. Different chains are published concurrently, so the
 * confirms of a whole batch are awaited together (pipelined), not one round trip per message.
 *
 * Chains holding a row that failed before (attempts > 0) go first, one at a time, while nothing else of
 * this batch is in flight: a message that makes the broker close the channel then fails alone, and
 * takes no innocent neighbours with it (see `classifyPublishFailure`).
 */
export async function publishBatch(
  rows: readonly OutboxRow[],
  publish: (row: OutboxRow) => Promise<void>,
  now: () => number,
): Promise<RowOutcome[]> {
  const outcomes = new Map<string, RowOutcome>();
  const runChain = async (chain: readonly OutboxRow[]): Promise<void> => {
    for (const [index, row] of chain.entries()) {
      try {
        await publish(row);
        outcomes.set(row.id, { row, status: 'sent', confirmedAt: now() });
      } catch (error) {
        outcomes.set(row.id, { row, status: 'failed', failure: classifyPublishFailure(error, row) });
        for (const later of chain.slice(index + 1)) outcomes.set(later.id, { row: later, status: 'held-back' });
        return;
      }
    }
  };
  const chains = chainsByAggregate(rows);
  const retried = chains.filter((chain) => chain.some((row) => row.attempts > 0));
  const fresh = chains.filter((chain) => !retried.includes(chain));
  for (const chain of retried) await runChain(chain);
  await Promise.all(fresh.map(runChain));
  return rows.map((row) => outcomes.get(row.id) as RowOutcome);
}

/** Rows grouped by aggregate, each group in the given (id) order; a row without aggregate is its own group. */
export function chainsByAggregate(rows: readonly OutboxRow[]): OutboxRow[][] {
  const chains: OutboxRow[][] = [];
  const byAggregate = new Map<string, OutboxRow[]>();
  for (const row of rows) {
    if (row.aggregate === null) {
      chains.push([row]);
      continue;
    }
    let chain = byAggregate.get(row.aggregate);
    if (!chain) {
      chain = [];
      byAggregate.set(row.aggregate, chain);
      chains.push(chain);
    }
    chain.push(row);
  }
  return chains;
}
