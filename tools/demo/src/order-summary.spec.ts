import type { OrderView } from '@orderly/local-stack';
import { formatSampleResult, stepTimings, traceIdOf } from './order-summary';
import type { SampleOrder } from './sample-orders';

const sample: SampleOrder = {
  name: 'success',
  story: 'goes through',
  expected: 'CONFIRMED',
  request: () => ({ customerId: 'ada', currency: 'EUR', lines: [] }),
};

const entry = (
  at: string,
  step: string,
  messageType: string,
  direction: 'sent' | 'received',
  traceId?: string,
) => ({
  at: `2026-11-25T12:00:${at}Z`,
  step,
  attempt: 1,
  messageType,
  messageId: `${messageType}-id`,
  direction,
  outcome: direction === 'sent' ? 'sent' : 'ok',
  traceId,
});

const order: OrderView = {
  id: '0b3c6a4e-2f0c-4a57-9d53-9f3f0e0a1d11',
  customerId: 'ada',
  status: 'CONFIRMED',
  totalMinor: 2599,
  currency: 'EUR',
  lines: [],
  saga: {
    id: 's1',
    type: 'place-order',
    status: 'COMPLETED',
    step: 'done',
    startedAt: '2026-11-25T12:00:00.000Z',
    timeline: [
      entry('00.000', 'reserve-stock', 'inventory.reserve-stock', 'sent'),
      entry('00.040', 'reserve-stock', 'inventory.stock-reserved', 'received', 'abc123'),
      entry('00.050', 'authorise-payment', 'payment.authorise', 'sent', 'abc123'),
      entry('00.125', 'authorise-payment', 'payment.authorised', 'received', 'abc123'),
    ],
  },
};

describe('the demo summary of a sample order', () => {
  it('times each step from its first to its last message, in the order the steps ran', () => {
    expect(stepTimings(order.saga?.timeline ?? [])).toEqual([
      { step: 'reserve-stock', ms: 40 },
      { step: 'authorise-payment', ms: 75 },
    ]);
  });

  it('takes the trace id from the first timeline entry that carries one', () => {
    expect(traceIdOf(order)).toBe('abc123');
  });

  it('shows outcome, total, trace, steps and each message with its offset', () => {
    const text = formatSampleResult({ sample, order, elapsedMs: 180 }, 'http://127.0.0.1:3001');
    expect(text.split('\n')).toEqual([
      '✔ success: CONFIRMED, as expected (180 ms)',
      '    goes through',
      '    order 0b3c6a4e-2f0c-4a57-9d53-9f3f0e0a1d11 · customer ada · 25.99 EUR · saga place-order COMPLETED · trace abc123',
      '    steps: reserve-stock 40 ms → authorise-payment 75 ms',
      '        +0 ms  → inventory.reserve-stock   reserve-stock #1  sent',
      '       +40 ms  ← inventory.stock-reserved  reserve-stock #1  ok',
      '       +50 ms  → payment.authorise         authorise-payment #1  sent',
      '      +125 ms  ← payment.authorised        authorise-payment #1  ok',
      '    timeline: GET http://127.0.0.1:3001/orders/0b3c6a4e-2f0c-4a57-9d53-9f3f0e0a1d11',
    ]);
  });

  it('says what went wrong when the order missed its expected outcome', () => {
    const text = formatSampleResult(
      {
        sample,
        order: { ...order, status: 'REJECTED' },
        elapsedMs: 90,
        problem: 'ended REJECTED, expected CONFIRMED',
      },
      'http://x',
    );
    expect(text.split('\n').slice(0, 3)).toEqual([
      '✖ success: REJECTED, expected CONFIRMED (90 ms)',
      '    goes through',
      '    problem: ended REJECTED, expected CONFIRMED',
    ]);
  });

  it('counts the spans of the order trace per service when they were collected', () => {
    const text = formatSampleResult({ sample, order, elapsedMs: 180 }, 'http://x', {
      'payment-service': 4,
      'inventory-service': 6,
    });
    expect(text.split('\n')[3]).toBe('    trace: 10 spans from inventory-service 6, payment-service 4');
  });

  it('links the order trace where the stack keeps it, when there is such a place', () => {
    const text = formatSampleResult(
      { sample, order, elapsedMs: 180 },
      'http://x',
      undefined,
      'http://localhost:3000/explore?trace=abc123',
    );
    expect(text.split('\n')[3]).toBe('    trace in Grafana: http://localhost:3000/explore?trace=abc123');
  });
});
