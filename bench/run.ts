// `npm run bench` runs every suite in bench/suites/*.bench.ts; `npm run bench -- <suite> [...]` the named
// ones. All suites of a run share one broker (started here unless BENCH_AMQP_URL is set), each in a
// vhost of its own; each prints its table and writes bench/results/<suite>.json.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { startBenchBroker, type BenchBroker } from './lib/bench-broker';
import { readBenchSettings } from './lib/bench-settings';
import type { BenchSuite } from './lib/bench-suite';
import { figuresTable } from './lib/figures-table';
import { describeMachine, writeResults } from './lib/results-file';

const suitesDir = path.join(__dirname, 'suites');
const SUITE_SUFFIX = '.bench.ts';

function availableSuites(): string[] {
  return readdirSync(suitesDir)
    .filter((file) => file.endsWith(SUITE_SUFFIX))
    .map((file) => file.slice(0, -SUITE_SUFFIX.length))
    .sort();
}

function loadSuite(name: string): BenchSuite {
  const loaded = require(path.join(suitesDir, `${name}${SUITE_SUFFIX}`)) as { suite?: BenchSuite };
  if (!loaded.suite || loaded.suite.name !== name) {
    throw new Error(
      `bench/suites/${name}${SUITE_SUFFIX} must export \`suite\` (a BenchSuite named "${name}")`,
    );
  }
  return loaded.suite;
}

async function main(): Promise<void> {
  const available = availableSuites();
  const requested = process.argv.slice(2);
  const unknown = requested.filter((name) => !available.includes(name));
  if (unknown.length > 0) {
    console.error(`unknown suite(s): ${unknown.join(', ')}; available: ${available.join(', ')}`);
    process.exit(2);
  }
  const suites = (requested.length > 0 ? requested : available).map(loadSuite);
  const settings = readBenchSettings();
  const log = (line: string) => console.log(line);

  let broker: BenchBroker | undefined;
  const stopBroker = async () => {
    const running = broker;
    broker = undefined;
    await running?.stop();
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void stopBroker().finally(() => process.exit(130)));
  }

  let failed = false;
  try {
    broker = await startBenchBroker(settings, log);
    for (const suite of suites) {
      log(`\n━━ ${suite.name}: ${suite.description}`);
      const started = Date.now();
      try {
        const result = await suite.run({ broker, log });
        log(`\n${figuresTable(result.figures)}\n`);
        const file = writeResults({
          suite: suite.name,
          date: new Date().toISOString(),
          machine: describeMachine(broker.rabbitmqVersion),
          figures: result.figures,
          ...result.details,
        });
        log(
          `${suite.name}: ${((Date.now() - started) / 1000).toFixed(0)} s, results in ${path.relative(process.cwd(), file)}`,
        );
      } catch (error) {
        failed = true;
        console.error(`✖ suite ${suite.name} failed:`, error);
      }
    }
  } finally {
    await stopBroker();
  }
  // Clients of some libraries keep timers alive after close; the run is over.
  process.exit(failed ? 1 : 0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
