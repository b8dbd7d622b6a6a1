import type { SagaLogEntry, SagaState } from '@orderly/saga';

/** What GET /orders/:id answers (the OpenAPI schema in openapi.ts describes it). */
export interface OrderView {
  id: string;
  customerId: string;
  status: 'PENDING' | 'CONFIRMED' | 'REJECTED' | 'CANCELLED';
  totalMinor: number;
  currency: string;
  lines: Array<{ sku: string; quantity: number; unitPriceMinor: number }>;
  reason?: string;
  createdAt: string;
  saga?: SagaSummary & { timeline: TimelineEntry[] };
}

export interface SagaSummary {
  id: string;
  type: string;
  status: SagaState['status'];
  step: string;
  attempt: number;
  reason?: string;
  startedAt: string;
  endedAt?: string;
  deadlineAt?: string;
}

export type TimelineEntry = Omit<SagaLogEntry, 'at'> & { at: string };

export function sagaSummary(s: SagaState & { step: string }): SagaSummary {
  return {
    id: s.id,
    type: s.type,
    status: s.status,
    step: s.step,
    attempt: s.attempt,
    ...(s.reason ? { reason: s.reason } : {}),
    startedAt: s.startedAt.toISOString(),
    ...(s.endedAt ? { endedAt: s.endedAt.toISOString() } : {}),
    ...(s.deadlineAt ? { deadlineAt: s.deadlineAt.toISOString() } : {}),
  };
}

export const timelineView = (entries: SagaLogEntry[]): TimelineEntry[] =>
  entries.map((e) => ({ ...e, at: e.at.toISOString() }));
