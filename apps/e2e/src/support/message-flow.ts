import type { OrderView } from '@orderly/testing';

/**
 * The messages of an order's saga as `→ type` (sent) and `← type` (received), in timeline order.
 * A command re-sent after its deadline (a busy machine can delay any reply past a short test deadline)
 * and a reply that arrives twice appear once: the flow says which messages were exchanged, and the
 * deadline test looks at the attempts themselves.
 */
export function messageFlow(order: OrderView): string[] {
  const flow: string[] = [];
  for (const entry of order.saga?.timeline ?? []) {
    const item = `${entry.direction === 'sent' ? '→' : '←'} ${entry.messageType}`;
    if (flow.at(-1) !== item) flow.push(item);
  }
  return flow;
}

export const sent = (type: string) => `→ ${type}`;
export const received = (type: string) => `← ${type}`;
