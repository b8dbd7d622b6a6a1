import { createServer, type Server, type Socket, connect } from 'node:net';

/** What the proxy does to the bytes between its clients and the target. */
export type FaultProxyMode = 'pass' | 'black-hole';

/** A TCP server the proxy forwards to. */
export interface FaultProxyTarget {
  host: string;
  port: number;
}

export interface FaultProxyOptions {
  /**
   * Where the traffic goes: the broker's AMQP listener (or any TCP server). A list makes the proxy a
   * failover load balancer in front of a cluster: each new client connection goes to the first target
   * that accepts it, in list order (see `FaultProxy`).
   */
  target: FaultProxyTarget | readonly FaultProxyTarget[];
  /** Port to listen on (127.0.0.1); default a free one chosen by the OS. */
  port?: number;
}

/**
 * A TCP proxy for fault tests, between the services and the broker. It passes traffic until told to
 * misbehave, the way a network does:
 * - `resetAll()`: every open connection is reset (RST on both sides), as a crashed load balancer or a
 *   broker host reboot does; new connections are accepted again at once;
 * - `blackHole()`: connections stay open, new ones are accepted, and every byte is dropped both ways, as
 *   a partition does. Only heartbeats and timeouts can tell. `pass()` ends it: connections that lost
 *   bytes are reset (an AMQP stream with a gap cannot be resumed), the client reconnects;
 * - `setLatency(ms)`: each chunk is held for `ms` in each direction, order kept.
 *
 * With several targets (the nodes of a cluster) it is also what a TCP load balancer in front of a
 * cluster is to clients that know one URL: each new connection is tried on the targets in order and
 * goes to the first that accepts. A node that stops closes its connections; the clients reconnect to
 * the proxy and land on a live node. Open connections never move: a link is to one node for its life.
 *
 * Data is forwarded as it comes (no backpressure): a test proxy carries test-sized traffic.
 */
export class FaultProxy {
  private mode: FaultProxyMode = 'pass';
  private latencyMs = 0;
  private readonly links = new Set<Link>();
  private acceptedCount = 0;
  private dropped = 0;
  /** Where connections go, in the order they are tried. */
  readonly targets: readonly FaultProxyTarget[];

  private constructor(
    private readonly server: Server,
    readonly port: number,
    target: FaultProxyTarget | readonly FaultProxyTarget[],
  ) {
    this.targets = Array.isArray(target) ? [...target] : [target as FaultProxyTarget];
    if (this.targets.length === 0) throw new RangeError('fault proxy: no target');
  }

  static async start(options: FaultProxyOptions): Promise<FaultProxy> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('fault proxy: no TCP address');
    let proxy: FaultProxy;
    try {
      proxy = new FaultProxy(server, address.port, options.target);
    } catch (error) {
      server.close();
      throw error;
    }
    server.on('connection', (socket: Socket) => proxy.accept(socket));
    return proxy;
  }

  /** A proxy in front of the host and port of an `amqp://` URL. */
  static forUrl(url: string): Promise<FaultProxy> {
    return FaultProxy.start({ target: targetOf(url) });
  }

  /** A failover proxy in front of the hosts and ports of several `amqp://` URLs (a cluster's nodes), in order. */
  static forUrls(urls: readonly string[]): Promise<FaultProxy> {
    return FaultProxy.start({ target: urls.map(targetOf) });
  }

  /** `url` (credentials, vhost, query kept) pointing at the proxy instead of the target. */
  url(url: string): string {
    const parsed = new URL(url);
    parsed.hostname = '127.0.0.1';
    parsed.port = String(this.port);
    return parsed.toString();
  }

  /** Connections open through the proxy now. */
  get openConnections(): number {
    return this.links.size;
  }

  /** Connections accepted since the start, reconnects included. */
  get acceptedConnections(): number {
    return this.acceptedCount;
  }

  /** Connections open now to each target, in the order of the targets. */
  get openConnectionsByTarget(): number[] {
    return this.targets.map((target) => [...this.links].filter((link) => link.target === target).length);
  }

  /** Bytes a black hole swallowed so far, both directions. */
  get droppedBytes(): number {
    return this.dropped;
  }

  get currentMode(): FaultProxyMode {
    return this.mode;
  }

  /** Back to forwarding. Connections that lost bytes in a black hole are reset; the others go on. */
  pass(): void {
    this.mode = 'pass';
    for (const link of this.links) if (link.lostBytes) link.reset();
  }

  /** Drops every byte both ways, on open and new connections, until `pass()`. */
  blackHole(): void {
    this.mode = 'black-hole';
  }

  /** Holds each chunk for `ms` in each direction (0: none). Applies to chunks arriving from now on. */
  setLatency(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`latency must be >= 0 ms, got ${ms}`);
    this.latencyMs = ms;
  }

  /** Resets every open connection (both sides see ECONNRESET). Resolves with how many there were. */
  resetAll(): number {
    const count = this.links.size;
    for (const link of [...this.links]) link.reset();
    return count;
  }

  /** Stops listening and resets what is still open. */
  async close(): Promise<void> {
    this.resetAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    this.acceptedCount += 1;
    if (this.targets.length === 1) {
      // One target: connect at once and let a refusal reach the client as a reset, as before.
      const [target] = this.targets as [FaultProxyTarget];
      this.link(client, connect({ host: target.host, port: target.port }), target);
      return;
    }
    // Until a target accepts, the client's bytes (AMQP's protocol header) wait in its socket: nothing
    // reads them yet.
    client.on('error', () => undefined);
    void firstAccepting(this.targets).then((found) => {
      if (client.destroyed) {
        found?.socket.destroy();
      } else if (!found) {
        // Every node refused: the client sees a reset and retries later, as behind a real balancer.
        client.resetAndDestroy();
      } else {
        this.link(client, found.socket, found.target);
      }
    });
  }

  private link(client: Socket, upstream: Socket, target: FaultProxyTarget): void {
    const link = new Link(
      client,
      upstream,
      target,
      () => ({ mode: this.mode, latencyMs: this.latencyMs }),
      (bytes) => {
        this.dropped += bytes;
      },
    );
    this.links.add(link);
    link.onEnd(() => this.links.delete(link));
  }
}

/** How long a target may take to accept before the next one is tried (a stopped host never answers). */
const ConnectTimeoutMs = 2_000;

function targetOf(url: string): FaultProxyTarget {
  const parsed = new URL(url);
  const defaultPort = parsed.protocol === 'amqps:' ? 5671 : 5672;
  return { host: parsed.hostname, port: Number(parsed.port || defaultPort) };
}

/** A connected socket to the first target, in order, that accepts; undefined if none does. */
async function firstAccepting(
  targets: readonly FaultProxyTarget[],
): Promise<{ socket: Socket; target: FaultProxyTarget } | undefined> {
  for (const target of targets) {
    const socket = await new Promise<Socket | undefined>((resolve) => {
      const attempt = connect({ host: target.host, port: target.port });
      const timer = setTimeout(() => {
        attempt.destroy();
        resolve(undefined);
      }, ConnectTimeoutMs);
      attempt.once('connect', () => {
        clearTimeout(timer);
        resolve(attempt);
      });
      attempt.once('error', () => {
        clearTimeout(timer);
        attempt.destroy();
        resolve(undefined);
      });
    });
    if (socket) return { socket, target };
  }
  return undefined;
}

/** One client connection and its upstream twin. */
class Link {
  lostBytes = false;
  private ended = false;
  private readonly endListeners: Array<() => void> = [];

  constructor(
    private readonly client: Socket,
    private readonly upstream: Socket,
    readonly target: FaultProxyTarget,
    conditions: () => { mode: FaultProxyMode; latencyMs: number },
    private readonly onDrop: (bytes: number) => void,
  ) {
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    this.forward(client, upstream, conditions);
    this.forward(upstream, client, conditions);
    for (const socket of [client, upstream]) {
      // A reset or refusal on one side becomes a reset on the other: the peer must see the failure.
      socket.on('error', () => this.reset());
      socket.on('close', () => this.end());
    }
  }

  onEnd(listener: () => void): void {
    this.endListeners.push(listener);
  }

  reset(): void {
    for (const socket of [this.client, this.upstream]) {
      if (!socket.destroyed) {
        // resetAndDestroy needs a connected socket; one still connecting can only be destroyed.
        if (socket.connecting || socket.pending) socket.destroy();
        else socket.resetAndDestroy();
      }
    }
    this.end();
  }

  private drop(chunk: Buffer): void {
    this.lostBytes = true;
    this.onDrop(chunk.length);
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.client.destroy();
    this.upstream.destroy();
    for (const listener of this.endListeners) listener();
  }

  /** Chunks from `from` to `to`, in order, each delayed by the latency in force when it arrived. */
  private forward(from: Socket, to: Socket, conditions: () => { mode: FaultProxyMode; latencyMs: number }): void {
    const queue: Array<{ chunk: Buffer; due: number }> = [];
    let timer: NodeJS.Timeout | undefined;
    const flush = () => {
      timer = undefined;
      const now = Date.now();
      while (queue.length > 0 && (queue[0] as { due: number }).due <= now) {
        const { chunk } = queue.shift() as { chunk: Buffer };
        // A black hole that began while the chunk was delayed swallows it too.
        if (conditions().mode === 'black-hole') this.drop(chunk);
        else if (!to.destroyed) to.write(chunk);
      }
      if (queue.length > 0) timer = setTimeout(flush, (queue[0] as { due: number }).due - now);
    };
    from.on('data', (chunk: Buffer) => {
      const { mode, latencyMs } = conditions();
      if (mode === 'black-hole') {
        this.drop(chunk);
        return;
      }
      if (latencyMs === 0 && queue.length === 0) {
        to.write(chunk);
        return;
      }
      // Never earlier than the chunk before it: lowering the latency must not reorder the stream.
      const last = queue[queue.length - 1];
      queue.push({ chunk, due: Math.max(Date.now() + latencyMs, last?.due ?? 0) });
      timer ??= setTimeout(flush, Math.max(0, (queue[0] as { due: number }).due - Date.now()));
    });
    from.on('end', () => {
      // Half-close after what is still queued has gone out.
      const drain = () => (queue.length === 0 ? to.end() : setTimeout(drain, 5));
      drain();
    });
    from.on('close', () => timer && clearTimeout(timer));
  }
}
