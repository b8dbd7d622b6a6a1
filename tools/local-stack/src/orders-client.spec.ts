import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpStatusError, isSettled, OrdersClient, type OrderView } from './orders-client';

const order = (status: OrderView['status'], saga?: NonNullable<OrderView['saga']>['status']): OrderView => ({
  id: 'o1',
  customerId: 'ada',
  status,
  totalMinor: 100,
  currency: 'EUR',
  lines: [],
  ...(saga
    ? { saga: { id: 's1', type: 'place-order', status: saga, step: 'x', startedAt: '', timeline: [] } }
    : {}),
});

describe('isSettled', () => {
  it('holds once the order is decided and its saga has nothing left to do', () => {
    expect(isSettled(order('CONFIRMED', 'COMPLETED'))).toBe(true);
    expect(isSettled(order('CANCELLED', 'COMPENSATED'))).toBe(true);
    expect(isSettled(order('REJECTED', 'FAILED'))).toBe(true);
  });

  it('does not hold while the saga still runs or compensates, or before there is a saga', () => {
    expect(isSettled(order('PENDING', 'RUNNING'))).toBe(false);
    expect(isSettled(order('REJECTED', 'COMPENSATING'))).toBe(false);
    expect(isSettled(order('PENDING'))).toBe(false);
  });
});

describe('OrdersClient against an HTTP server', () => {
  let server: http.Server;
  let client: OrdersClient;
  const answers: OrderView[] = [];
  const requests: Array<{ method?: string; url?: string; key?: string; body: string }> = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        requests.push({
          method: req.method,
          url: req.url,
          key: req.headers['idempotency-key'] as string,
          body,
        });
        if (req.url === '/orders/missing') {
          res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"no such order"}');
          return;
        }
        const next = answers.length > 1 ? answers.shift() : answers[0];
        res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(next));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = new OrdersClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    answers.length = 0;
    requests.length = 0;
  });

  it('places an order with its idempotency key and the request as JSON', async () => {
    answers.push(order('PENDING'));
    const request = {
      customerId: 'ada',
      currency: 'EUR',
      lines: [{ sku: 'A', quantity: 1, unitPriceMinor: 5 }],
    };
    await expect(client.place(request, 'key-1')).resolves.toMatchObject({ status: 'PENDING' });
    expect(requests).toEqual([
      { method: 'POST', url: '/orders', key: 'key-1', body: JSON.stringify(request) },
    ]);
  });

  it('polls until the order settles and returns it', async () => {
    answers.push(
      order('PENDING', 'RUNNING'),
      order('REJECTED', 'COMPENSATING'),
      order('REJECTED', 'COMPENSATED'),
    );
    await expect(client.waitUntilSettled('o1', { pollMs: 1 })).resolves.toMatchObject({
      status: 'REJECTED',
      saga: { status: 'COMPENSATED' },
    });
    expect(requests).toHaveLength(3);
  });

  it('gives up at the deadline and shows the last state it saw', async () => {
    answers.push(order('PENDING', 'RUNNING'));
    await expect(client.waitUntilSettled('o1', { timeoutMs: 20, pollMs: 5 })).rejects.toThrow(
      /order o1: not settled within 20 ms; last seen:[\s\S]*"status": "RUNNING"/,
    );
  });

  it('rejects with the status and body of an error answer', async () => {
    const error = await client.get('missing').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpStatusError);
    expect(error).toMatchObject({ status: 404, body: '{"message":"no such order"}' });
  });
});
