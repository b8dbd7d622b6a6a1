import net from 'node:net';

// Erlang's port mapper daemon (epmd) is started by the first Erlang node on a port and then outlives
// every node: RabbitMQ never stops it. We speak its protocol directly (two requests of
// https://www.erlang.org/doc/apps/erts/erl_dist_protocol.html) instead of running the `epmd` binary,
// whose location differs between Debian, Homebrew and the generic Unix build.
const NamesRequest = 110; // 'n'
const KillRequest = 107; // 'k'

function request(port: number, code: number, timeoutMs = 2_000): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    const chunks: Buffer[] = [];
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('connect', () => socket.write(Buffer.from([0, 1, code])));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.once('end', () => resolve(Buffer.concat(chunks)));
    socket.once('error', () => resolve(undefined));
  });
}

/** The node names registered with the epmd on `port`, or undefined when no epmd answers there. */
export async function epmdNames(port: number): Promise<string[] | undefined> {
  const reply = await request(port, NamesRequest);
  if (!reply) return undefined;
  // 4 bytes: epmd's own port; then one line per node: "name <name> at port <port>".
  return reply
    .subarray(4)
    .toString('latin1')
    .split('\n')
    .map((line) => /^name (\S+) at port/.exec(line)?.[1])
    .filter((name): name is string => Boolean(name));
}

/**
 * Asks the epmd on `port` to exit. epmd refuses while any node is still registered with it, so this
 * never cuts off another running node. Resolves true when it agreed.
 */
export async function stopEpmd(port: number): Promise<boolean> {
  const reply = await request(port, KillRequest);
  return reply?.toString('latin1') === 'OK';
}
