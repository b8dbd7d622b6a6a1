import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

interface FakeOrder {
  status: string;
  /** GETs still answered PENDING before the order shows its end. */
  pendingPolls: number;
}

/**
 * A stand-in for order-service's HTTP API (no broker, no database: it tests the generator's HTTP side).
 * An order ends after `pendingPolls` GETs: CONFIRMED, REJECTED for a `declined-*` customer or the SKU
 * `POSTER-GONE`, CANCELLED when cancelled before; `failPosts` answers the first n POSTs with 500;
 * `holdUntilCancelled` keeps every order PENDING until it is cancelled (no race with the cancel).
 */
export async function startFakeOrderService(
  options: { pendingPolls?: number; failPosts?: number; holdUntilCancelled?: boolean } = {},
) {
  const orders = new Map<string, FakeOrder>();
  let failPosts = options.failPosts ?? 0;
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const send = (status: number, payload: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(payload));
      };
      const url = request.url ?? '';
      if (request.method === 'POST' && url === '/orders') {
        if (failPosts > 0) {
          failPosts--;
          return send(500, { message: 'boom' });
        }
        const order = JSON.parse(body) as { customerId: string; lines: Array<{ sku: string }> };
        const rejected = order.customerId.startsWith('declined-') || order.lines[0]?.sku === 'POSTER-GONE';
        const id = randomUUID();
        orders.set(id, {
          status: rejected ? 'REJECTED' : 'CONFIRMED',
          pendingPolls: options.pendingPolls ?? 1,
        });
        return send(201, { id, status: 'PENDING' });
      }
      const cancel = /^\/orders\/([^/]+)\/cancel$/.exec(url);
      if (request.method === 'POST' && cancel) {
        const order = orders.get(cancel[1]);
        if (!order) return send(404, {});
        order.status = 'CANCELLED';
        return send(202, {});
      }
      const get = /^\/orders\/([^/]+)$/.exec(url);
      const order = get && orders.get(get[1]);
      if (request.method === 'GET' && order) {
        if (order.pendingPolls > 0 || (options.holdUntilCancelled && order.status !== 'CANCELLED')) {
          order.pendingPolls--;
          return send(200, { status: 'PENDING', saga: { status: 'RUNNING' } });
        }
        const saga = order.status === 'CONFIRMED' ? 'COMPLETED' : 'COMPENSATED';
        return send(200, { status: order.status, saga: { status: saga } });
      }
      send(404, {});
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    orders,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
