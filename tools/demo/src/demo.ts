import path from 'node:path';
import { parseArgs } from 'node:util';
import { serverFolder } from '@orderly/local-servers';
import { LocalStack } from './local-stack';

// `npm run demo`: the whole system on this machine, shown working, stopped cleanly by Ctrl-C.
//   --exit-when-ready   start, show, and stop again (used by the demo's own test and by CI)

const root = path.resolve(__dirname, '../../..');
const { values } = parseArgs({
  options: {
    'exit-when-ready': { type: 'boolean', default: false },
    // Where data and logs go; the demo's test uses its own folder so it never touches a running demo.
    'base-dir': { type: 'string', default: serverFolder(path.join(root, '.local', 'demo')) },
  },
});
const baseDir = path.resolve(values['base-dir']);
const started = Date.now();
const say = (line: string) =>
  process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${line}\n`);

async function main(): Promise<void> {
  say('Orderly demo — broker, databases and four services on this machine');
  const stack = new LocalStack({
    root,
    baseDir,
    databaseUrl: process.env['DATABASE_URL'] || undefined,
    progress: say,
  });
  let stopping: Promise<void> | undefined;
  const shutdown = (why: string) =>
    (stopping ??= (async () => {
      say(`${why}: stopping services (they drain in-flight work), then RabbitMQ and PostgreSQL…`);
      await stack.stop();
      say('everything stopped.');
    })());
  // Ctrl-C at any moment, even while servers are still starting, stops whatever is already running.
  const stopped = new Promise<void>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const)
      process.once(signal, () => void shutdown(signal).then(resolve));
  });
  await Promise.race([stack.start(), stopped.then(() => process.exit(130))]);

  const health = await Promise.all(
    stack.services.map(async (service) => {
      const body = (await (await fetch(`${service.url}/health/ready`)).json()) as {
        status: string;
        info?: Record<string, { status: string }>;
      };
      const checks = Object.entries(body.info ?? {}).map(([name, check]) => `${name} ${check.status}`);
      return { service: service.name, url: service.url, ready: body.status, checks: checks.join(', ') };
    }),
  );
  process.stdout.write('\n');
  console.table(health);
  const management = new URL(stack.managementUrl);
  process.stdout.write(
    [
      '',
      'Where to look next:',
      `  RabbitMQ management   http://${management.host}/  (user ${decodeURIComponent(management.username)}, password ${decodeURIComponent(management.password)})`,
      `  service health        ${stack.services.map((s) => `${s.url}/health/ready`).join('\n                        ')}`,
      `  service logs (JSON)   ${path.relative(root, path.join(baseDir, 'logs'))}/`,
      '',
    ].join('\n') + '\n',
  );

  if (values['exit-when-ready']) return shutdown('--exit-when-ready');
  say('running; press Ctrl-C to stop everything.');
  await stopped;
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`\n✖ demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
