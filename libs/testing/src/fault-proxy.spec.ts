// The proxy's own behaviour, against a plain TCP echo server on this machine (no broker needed: what is
// checked is bytes and resets). The proxy between AmqpClient and the real broker is tested in
// libs/messaging/src/connection/amqp-connection.faults.int-spec.ts.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { FaultProxy } from './fault-proxy';

/** A client socket through the proxy that collects what comes back, and how it ended. */
function clientOf(port: number) {
  const socket = connect({ host: '127.0.0.1', port });
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
  const closed = new Promise<string>((resolve) => {
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    socket.once('close', () => resolve('closed'));
  });
  const connected = new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, received: () => received, closed, connected };
}

async function until(probe: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('FaultProxy', () => {
  let echo: Server;
  let echoPort: number;
  const upstreamSockets = new Set<Socket>();
  let proxy: FaultProxy;

  beforeAll(async () => {
    echo = createServer((socket) => {
      upstreamSockets.add(socket);
      socket.on('close', () => upstreamSockets.delete(socket));
      socket.on('error', () => undefined);
      socket.pipe(socket);
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    echoPort = (echo.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => echo.close(() => resolve()));
  });
  beforeEach(async () => {
    proxy = await FaultProxy.start({ target: { host: '127.0.0.1', port: echoPort } });
  });
  afterEach(async () => {
    await proxy.close();
  });

  it('passes bytes both ways unchanged', async () => {
    const client = clientOf(proxy.port);
    await client.connected;
    client.socket.write('hello ');
    client.socket.write('world');
    await until(() => client.received() === 'hello world', 'echo');
    expect(proxy.openConnections).toBe(1);
    client.socket.destroy();
  });

  it('rewrites a URL to point at itself, keeping credentials and vhost', () => {
    expect(proxy.url('amqp://user:p%40ss@broker.example:5672/orderly?heartbeat=5')).toBe(
      `amqp://user:p%40ss@127.0.0.1:${proxy.port}/orderly?heartbeat=5`,
    );
  });

  it('resets every open connection on both sides, and accepts new ones afterwards', async () => {
    const client = clientOf(proxy.port);
    await client.connected;
    client.socket.write('x');
    await until(() => client.received() === 'x', 'echo');
    expect(upstreamSockets.size).toBe(1);

    expect(proxy.resetAll()).toBe(1);
    expect(await client.closed).toBe('ECONNRESET');
    await until(() => upstreamSockets.size === 0, 'the upstream side to close');

    const again = clientOf(proxy.port);
    await again.connected;
    again.socket.write('y');
    await until(() => again.received() === 'y', 'echo after the reset');
    expect(proxy.acceptedConnections).toBe(2);
    again.socket.destroy();
  });

  it('drops every byte while black-holed, keeps the connection open, and resets it when passing again', async () => {
    const client = clientOf(proxy.port);
    await client.connected;
    proxy.blackHole();
    client.socket.write('lost');
    const late = clientOf(proxy.port);
    await late.connected;
    late.socket.write('also lost');
    await until(() => proxy.droppedBytes === 'lost'.length + 'also lost'.length, 'both writes to reach the proxy');
    // Nothing came back, and nothing closed: a partition is silent.
    expect(proxy.openConnections).toBe(2);

    proxy.pass();
    expect(await client.closed).toBe('ECONNRESET');
    expect(await late.closed).toBe('ECONNRESET');
    expect(client.received()).toBe('');
    expect(late.received()).toBe('');

    const fresh = clientOf(proxy.port);
    await fresh.connected;
    fresh.socket.write('through');
    await until(() => fresh.received() === 'through', 'echo after the black hole');
    fresh.socket.destroy();
  });

  it('delays each direction by the latency and keeps the order of chunks when the latency drops', async () => {
    const client = clientOf(proxy.port);
    await client.connected;
    proxy.setLatency(150);
    const sent = Date.now();
    client.socket.write('a');
    await new Promise((resolve) => setTimeout(resolve, 20));
    proxy.setLatency(0);
    client.socket.write('b');
    await until(() => client.received() === 'ab', 'both chunks, in order');
    // 150 ms out (a), then b behind it; the way back has no latency any more.
    expect(Date.now() - sent).toBeGreaterThanOrEqual(150);
    client.socket.destroy();
  });

  it('refuses a negative latency', () => {
    expect(() => proxy.setLatency(-1)).toThrow(RangeError);
  });

  it('resets the client when the target refuses the connection', async () => {
    const dead = await FaultProxy.start({ target: { host: '127.0.0.1', port: proxy.port } });
    await dead.close(); // nothing listens on its port any more
    const orphan = await FaultProxy.start({ target: { host: '127.0.0.1', port: dead.port } });
    const client = clientOf(orphan.port);
    expect(['ECONNRESET', 'closed']).toContain(await client.closed);
    await orphan.close();
  });
});

describe('FaultProxy in front of several targets (failover, as a load balancer in front of a cluster)', () => {
  /** A TCP server that answers every chunk with its name, so a client can tell where it landed. */
  function namedServer(name: string) {
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
      socket.on('data', () => socket.write(name));
    });
    return {
      server,
      sockets,
      listen: (port = 0) =>
        new Promise<number>((resolve) =>
          server.listen(port, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
        ),
      /** Stops listening and closes its connections, as a node's `stop_app` does. */
      stop: async () => {
        for (const socket of sockets) socket.destroy();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      },
    };
  }

  async function landing(port: number): Promise<{ name: string; client: ReturnType<typeof clientOf> }> {
    const client = clientOf(port);
    await client.connected;
    client.socket.write('?');
    await until(() => client.received().length > 0, 'an answer');
    return { name: client.received(), client };
  }

  it('sends each new connection to the first target that accepts, and back to it once it returns', async () => {
    const first = namedServer('first');
    const second = namedServer('second');
    const firstPort = await first.listen();
    const secondPort = await second.listen();
    const proxy = await FaultProxy.forUrls([`amqp://u:p@127.0.0.1:${firstPort}/v`, `amqp://u:p@127.0.0.1:${secondPort}/v`]);
    try {
      const before = await landing(proxy.port);
      expect(before.name).toBe('first');
      expect(proxy.openConnectionsByTarget).toEqual([1, 0]);

      await first.stop();
      // The open connection ends with its node; the reconnect lands on the next one.
      expect(await before.client.closed).toMatch(/closed|ECONNRESET/);
      const during = await landing(proxy.port);
      expect(during.name).toBe('second');
      await until(() => proxy.openConnectionsByTarget.join() === '0,1', 'the link to the stopped target to end');

      await first.listen(firstPort);
      const after = await landing(proxy.port);
      expect(after.name).toBe('first');
      // Connections made during the outage stay where they are.
      expect(proxy.openConnectionsByTarget).toEqual([1, 1]);
      during.client.socket.destroy();
      after.client.socket.destroy();
    } finally {
      await proxy.close();
      await Promise.allSettled([first.stop(), second.stop()]);
    }
  });

  it('resets the client when every target refuses', async () => {
    const gone = namedServer('gone');
    const port = await gone.listen();
    await gone.stop();
    const proxy = await FaultProxy.start({
      target: [
        { host: '127.0.0.1', port },
        { host: '127.0.0.1', port },
      ],
    });
    try {
      const client = clientOf(proxy.port);
      expect(['ECONNRESET', 'closed']).toContain(await client.closed);
      expect(proxy.openConnections).toBe(0);
    } finally {
      await proxy.close();
    }
  });

  it('refuses an empty list of targets', async () => {
    await expect(FaultProxy.start({ target: [] })).rejects.toThrow(RangeError);
  });
});
