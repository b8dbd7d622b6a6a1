import { defineEvent, type MessageOf, type TopologyDeclaration } from '@orderly/contracts';
import { z } from 'zod';

/** The service that owns the benchmark's exchange and queues (its dead-letter exchange is named after it). */
export const BENCH_OUTBOX_SERVICE = 'bench-service';
export const BenchOutboxExchange = 'bench.outbox';

/** The benchmark's message: an Orderly event, as a service would write it to its outbox. */
export const BenchMessageWritten = defineEvent({
  type: 'bench.message-written',
  version: 1,
  exchange: BenchOutboxExchange,
  schema: z.object({ seq: z.number().int().min(0), pad: z.string() }),
});
export type BenchMessageWritten = MessageOf<typeof BenchMessageWritten>;

/** What MessagingModule needs to know: the service and the exchange it publishes to. Queues are the suite's. */
export const BenchOutboxTopology: TopologyDeclaration = {
  vhost: 'bench',
  exchanges: [{ name: BenchOutboxExchange, type: 'topic', owner: BENCH_OUTBOX_SERVICE }],
  queues: [],
  services: [{ name: BENCH_OUTBOX_SERVICE, publishesTo: [BenchOutboxExchange] }],
  policies: [],
};

const pads = new Map<number, string>();

/** Message `seq` about aggregate `seq % aggregates`, with about `bytes` of JSON data. */
export function benchEvent(seq: number, aggregates: number, bytes: number): BenchMessageWritten {
  let pad = pads.get(bytes);
  if (pad === undefined) {
    pad = 'x'.repeat(Math.max(0, bytes - JSON.stringify({ seq: 999_999, pad: '' }).length));
    pads.set(bytes, pad);
  }
  const aggregate = `aggregate-${seq % aggregates}`;
  return BenchMessageWritten.create({ seq, pad }, { source: '/orderly/bench-service', subject: aggregate });
}
