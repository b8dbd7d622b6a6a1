import { type MessageContract, type ServiceName, Topology } from '@orderly/contracts';
import type { ReceivedSpan } from '@orderly/testing';

// A trace drawn as an operator sees it in Jaeger or Tempo: one line a span, indented under its parent.
// Tests compare the drawing of the spans received with the drawing of the tree they expect, so that a
// failure shows both trees side by side.

/** OTLP SpanKind numbers as names (ReceivedSpan keeps the number the exporter sent). */
const KindNames: Record<number, string> = {
  1: 'internal',
  2: 'server',
  3: 'client',
  4: 'producer',
  5: 'consumer',
};

interface TreeNode {
  line: string;
  children: TreeNode[];
}

/**
 * The spans of one trace as lines `service: span name (kind, message type)`, e.g.
 * `order-service: publish inventory.commands (producer, inventory.reserve-stock)`, each indented two
 * spaces under its parent.
 *
 * Database queries are folded into one line `<service>: database` under the span that ran them: how
 * many queries a handler runs is not the shape of the trace. Siblings are sorted by their text, never
 * by time, so the drawing does not depend on timing.
 *
 * A span whose parent is not among `spans` is drawn as a root of its own, marked `(orphan)`. While a
 * trace is still being exported that is normal (a parent ends, and is exported, after its children);
 * once every span has arrived, an orphan means the trace context was lost on the way, and the drawing
 * shows where.
 */
export function renderSpanTree(spans: ReceivedSpan[]): string[] {
  const ids = new Set(spans.map((span) => span.spanId));
  const childrenOf = new Map<string, ReceivedSpan[]>();
  const roots: ReceivedSpan[] = [];
  for (const span of spans) {
    if (span.parentSpanId && ids.has(span.parentSpanId)) {
      childrenOf.set(span.parentSpanId, [...(childrenOf.get(span.parentSpanId) ?? []), span]);
    } else {
      roots.push(span);
    }
  }
  const nodeOf = (span: ReceivedSpan, root: boolean): TreeNode => {
    const children = childrenOf.get(span.spanId) ?? [];
    // Queries have no spans under them; one that does is drawn in full rather than folded.
    const folded = children.filter((child) => isDatabaseSpan(child) && !childrenOf.has(child.spanId));
    return {
      line: `${lineOf(span)}${root && span.parentSpanId ? ' (orphan)' : ''}`,
      children: [
        ...[...new Set(folded.map((query) => query.service))].map((service) => databaseNode(service)),
        ...children.filter((child) => !folded.includes(child)).map((child) => nodeOf(child, false)),
      ],
    };
  };
  return draw(roots.map((root) => nodeOf(root, true)));
}

/** One message of a flow: its sender publishes it, its receiver processes it from its own queue. */
export interface Hop {
  message: MessageContract;
  from: ServiceName;
  to: ServiceName;
  /** Messages the receiver's handler publishes that nothing in the flow consumes (events). */
  alsoPublishes?: MessageContract[];
}

export const hop = (
  message: MessageContract,
  from: ServiceName,
  to: ServiceName,
  alsoPublishes: MessageContract[] = [],
): Hop => ({ message, from, to, alsoPublishes });

/**
 * The drawing `renderSpanTree` makes of a chain of messages started by one request: the request's span
 * with its queries and the first message's publish span (the outbox relay's, a child of the span that
 * wrote the row); under that publish, the receiver's process span, with its handler's queries and the
 * publish span of the message it caused; and so on down the chain. Exchanges and queues come from the
 * contracts and the topology, as the services take them.
 */
export function spanChain(
  root: { service: ServiceName; span: string; alsoPublishes?: MessageContract[] },
  hops: Hop[],
): string[] {
  const publishOf = (
    service: ServiceName,
    message: MessageContract,
    children: TreeNode[] = [],
  ): TreeNode => ({
    line: `${service}: publish ${message.exchange} (producer, ${message.type})`,
    children,
  });
  // Built from the last message back: each process span holds the publish of the message after it.
  let next: TreeNode[] = [];
  for (const { message, from, to, alsoPublishes = [] } of [...hops].reverse()) {
    const process: TreeNode = {
      line: `${to}: process ${queueOf(to, message)} (consumer, ${message.type})`,
      children: [databaseNode(to), ...next, ...alsoPublishes.map((m) => publishOf(to, m))],
    };
    next = [publishOf(from, message, [process])];
  }
  const unconsumed = (root.alsoPublishes ?? []).map((m) => publishOf(root.service, m));
  return draw([
    { line: `${root.service}: ${root.span}`, children: [databaseNode(root.service), ...next, ...unconsumed] },
  ]);
}

/** The queue of `service` that the topology binds `message` to. */
function queueOf(service: ServiceName, message: MessageContract): string {
  const queue = Topology.queues.find(
    (q) =>
      q.owner === service &&
      q.bindings.some((b) => b.exchange === message.exchange && b.messages.includes(message)),
  );
  if (!queue) throw new Error(`the topology binds ${message.type} to no queue of ${service}`);
  return queue.name;
}

/** A database query's span (the pg instrumentation's): `db.system`, or `db.system.name` in newer conventions. */
const isDatabaseSpan = (span: ReceivedSpan) =>
  span.attributes['db.system'] !== undefined || span.attributes['db.system.name'] !== undefined;

const databaseNode = (service: string): TreeNode => ({ line: `${service}: database`, children: [] });

function lineOf(span: ReceivedSpan): string {
  const kind = KindNames[span.kind] ?? `kind ${span.kind}`;
  const messageType = span.attributes['cloudevents.event.type'];
  return `${span.service}: ${span.name} (${kind}${typeof messageType === 'string' ? `, ${messageType}` : ''})`;
}

/** Lines indented by depth; siblings sorted by their whole subtree's text. */
function draw(nodes: TreeNode[], depth = 0): string[] {
  const blocks = nodes.map((node) => [
    `${'  '.repeat(depth)}${node.line}`,
    ...draw(node.children, depth + 1),
  ]);
  return blocks.sort((a, b) => a.join('\n').localeCompare(b.join('\n'))).flat();
}
