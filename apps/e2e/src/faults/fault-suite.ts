import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Services } from '@orderly/contracts';
import {
  FaultProxy,
  type PrivateBroker,
  type PrivatePostgres,
  startPrivateBroker,
  startPrivatePostgres,
  startTestCluster,
  startTestStack,
  type TestCluster,
  TestEnv,
  testBrokerControl,
  type TestStack,
} from '@orderly/testing';
import { eventually } from '../support/eventually';
import { ServiceDatabases } from '../support/service-databases';
import { BrokerOperator } from './broker-operator';
import { describeReplication } from './cluster-node-fault';
import type { FaultWorld } from './fault-catalog';
import { FaultDatabases } from './fault-databases';
import { countLedger } from './fault-ledger';
import type { FaultProfile } from './fault-profiles';
import { type FaultRecord, type FaultReport, formatReport, machine, writeReport } from './fault-report';
import { OrderStream, type StreamProduct } from './order-stream';
import { RssSampler } from './rss-sampler';

/**
 * Short saga deadlines, so that a fault's lost replies are re-sent within seconds, and enough attempts
 * that a saga rides out a service restart instead of giving up (giving up would be correct too, but
 * the suite wants most sagas to cross the faults). Compensations get far more patience: a FAILED saga
 * needs an operator, and the suite counts one as unexpected.
 */
const SagaSettings = {
  SAGA_STEP_TIMEOUT_MS: '3000',
  SAGA_STEP_MAX_ATTEMPTS: '10',
  SAGA_COMPENSATION_MAX_ATTEMPTS: '100',
  SAGA_SWEEP_INTERVAL_MS: '200',
  // Generated per run: no credential is written in the sources (apps/broker security-credentials.spec.ts).
  ADMIN_TOKEN: randomBytes(18).toString('base64url'),
};
/** Leftovers (notifications after the last saga, outbox rows, dead letters) must appear within this. */
const DrainBoundMs = 60_000;
/**
 * RSS growth of a service during a broker outage that still counts as bounded. Not a performance
 * figure (those are in bench/): an unbounded buffer (every order's messages kept in memory while the
 * broker is away) grows with the outage and the order rate, and crosses it in a long outage; a bounded
 * one (rows stay in the outbox table) stays within tens of MiB of GC noise.
 */
const RssGrowthBoundMib = 200;

/**
 * The fault suite of issue 10, parameterised by a profile: a steady stream of orders through the four
 * services as processes, faults injected one after another while sagas are in flight, then the
 * invariants over every service's database and the broker, counted Jepsen-style (lost, duplicated,
 * unexpected, recovered) and printed as a table (also written to apps/e2e/results/faults-<profile>.md).
 */
export function faultSuite(profile: FaultProfile): void {
  describe(`fault suite (${profile.name})`, () => {
    let stack: TestStack | undefined;
    let proxy: FaultProxy | undefined;
    let privateBroker: PrivateBroker | undefined;
    let privatePostgres: PrivatePostgres | undefined;
    let testCluster: TestCluster | undefined;
    let db: FaultDatabases | undefined;
    let world: FaultWorld;
    let products: StreamProduct[] = [];
    const initialStock = new Map<string, number>();

    beforeAll(async () => {
      if (profile.privateServers) {
        [privateBroker, privatePostgres] = await Promise.all([startPrivateBroker(), startPrivatePostgres()]);
      }
      if (profile.cluster) {
        testCluster = await startTestCluster();
        // The vhost and the broker app's topology are made through node 1 and exist on every node.
        testCluster.useAsTestBroker();
      }
      const amqpUrl = process.env[TestEnv.amqpUrl];
      if (!amqpUrl) throw new Error(`${TestEnv.amqpUrl} is not set: run through jest`);
      // In the cluster form the services know one URL, as behind a TCP load balancer: the proxy sends
      // each new connection to the first node that accepts it.
      proxy = testCluster
        ? await FaultProxy.forUrls(testCluster.cluster.nodes.map((node) => node.amqpUrl))
        : await FaultProxy.forUrl(amqpUrl);
      const through = proxy;
      const settings = Object.fromEntries(Object.values(Services).map((s) => [s, {}]));
      stack = await startTestStack({
        prefix: `faults-${profile.name}`,
        env: { ...settings, [Services.order]: SagaSettings },
        amqpVia: (url) => through.url(url),
        // The long forms keep every service's output (git-ignored), to find the cause of a failure.
        logDir: profile.name === 'short' ? undefined : serviceLogDir(profile),
      });
      db = new FaultDatabases(stack.databaseUrls);
      // Fixtures only, closed before any fault: an idle pool whose server restarts emits 'error'.
      const fixtures = new ServiceDatabases(stack.databaseUrls);
      let warmUp: StreamProduct;
      try {
        products = await Promise.all(profile.stock.map((stock) => fixtures.addProduct(stock)));
        warmUp = await fixtures.addProduct(1);
      } finally {
        await fixtures.close();
      }
      products.forEach((p, i) => initialStock.set(p.sku, profile.stock[i] as number));
      world = {
        stack,
        proxy,
        operator: new BrokerOperator(stack.vhost),
        db,
        broker: privateBroker ? testBrokerControl() : undefined,
        postgres: privatePostgres,
        cluster: testCluster,
        poisonIds: [],
      };
      // The first order through a fresh stack pays for lazy set-up (connections, channels, statements).
      const placed = await stack.orders.place({
        customerId: 'fault-warm-up',
        currency: 'EUR',
        lines: [{ sku: warmUp.sku, quantity: 1, unitPriceMinor: warmUp.priceMinor }],
      });
      await stack.orders.waitUntilSettled(placed.id, { timeoutMs: 60_000 });
    }, 420_000);

    afterAll(async () => {
      await db?.close().catch(() => undefined);
      const exits = await stack?.stop();
      await proxy?.close();
      await Promise.allSettled([privateBroker?.stop(), privatePostgres?.stop(), testCluster?.stop()]);
      for (const { name, exit } of exits ?? []) {
        expect({ name, clean: exit.code === 0 || exit.signal === 'SIGTERM' }).toEqual({ name, clean: true });
      }
    }, 120_000);

    let replication: string | undefined;
    if (profile.cluster) {
      it('replicates every work queue of the topology to all three nodes as a quorum queue', async () => {
        const { cluster } = testCluster as TestCluster;
        const { problems, summary } = await describeReplication(
          cluster.nodes[0] as (typeof cluster.nodes)[number],
          (stack as TestStack).vhost.vhost,
          cluster.nodeNames,
        );
        replication = summary;
        process.stdout.write(`[fault suite] ${summary}\n`);
        expect(problems).toEqual([]);
      });
    }

    it(
      'loses nothing and applies nothing twice while faults hit sagas in flight',
      async () => {
        const live = stack as TestStack;
        const started = Date.now();
        const customerPrefix = `fault-${randomBytes(3).toString('hex')}`;
        const stream = new OrderStream(live, {
          products,
          customerPrefix,
          intervalMs: profile.intervalMs,
          maxInFlight: profile.maxInFlight,
          declinedEvery: 7,
        });
        const rss = new RssSampler(Object.values(Services), (service) => {
          try {
            return live.fleet.pid(service);
          } catch {
            return undefined;
          }
        });
        const records: FaultRecord[] = [];
        rss.start();
        stream.start();
        try {
          for (const fault of profile.faults) {
            await stream.waitForPlaced(stream.placed.length + profile.ordersBetweenFaults);
            // A fault is meant to land on sagas in flight: with a steady stream there nearly always are.
            const inFlight = (
              await eventually(
                () => world.db.unsettled(stream.placed.map((o) => o.id)),
                (ids) => ids.length > 0,
                { timeoutMs: 10_000, pollMs: 50 },
              )
            ).length;
            const injectedAt = Date.now();
            const detail = await fault.inject(world);
            const healedAt = Date.now();
            assertServicesAlive(live);
            const touched = (await stream.sentBefore(healedAt)).map((o) => o.id);
            const unsettled = await eventually(
              () => world.db.unsettled(touched).catch(() => touched),
              (ids) => ids.length === 0,
              { timeoutMs: profile.recoveryBoundMs, pollMs: 200 },
            );
            const recoveredAt = Date.now();
            const record: FaultRecord = {
              name: fault.name,
              detail,
              inFlight,
              faultMs: healedAt - injectedAt,
              recoveryMs: recoveredAt - healedAt,
              recovered: unsettled.length === 0,
            };
            if (fault.outage) {
              const before = rss.before(injectedAt)?.mib ?? {};
              const peak = rss.peak(injectedAt, recoveredAt);
              const after = rss.sample().mib;
              record.rss = Object.fromEntries(
                Object.keys(before).map((s) => [
                  s,
                  { before: before[s] ?? 0, peak: peak[s] ?? 0, after: after[s] ?? 0 },
                ]),
              );
            }
            records.push(record);
            process.stdout.write(
              `[fault suite] ${fault.name}: ${detail}; recovered in ${record.recoveryMs} ms\n`,
            );
          }
          await stream.waitForPlaced(profile.minOrders);
        } finally {
          await stream.stop();
        }

        // Every saga ends; then what follows the ends (notifications, outbox rows, dead letters) settles.
        const ids = stream.placed.map((o) => o.id);
        await eventually(
          () => world.db.unsettled(ids),
          (left) => left.length === 0,
          { timeoutMs: profile.settleBoundMs, pollMs: 250 },
        );
        await eventually(
          () => world.db.notifications(ids),
          (rows) => new Set(rows.map((r) => r.orderId)).size >= ids.length,
          { timeoutMs: DrainBoundMs, pollMs: 250 },
        );
        await eventually(
          () => world.db.unsentOutbox(),
          (rows) => rows.every((r) => r.unsent === 0),
          { timeoutMs: DrainBoundMs, pollMs: 250 },
        );
        await eventually(
          () => world.operator.deadLetters(),
          (letters) => world.poisonIds.every((id) => letters.some((l) => l.messageId === id)),
          { timeoutMs: DrainBoundMs, pollMs: 500 },
        );
        // Nothing left in a work queue: the duplicates and re-sends were consumed, not stranded. (The
        // management API's queue figures lag by a few seconds, hence the wait.)
        const workQueues = await eventually(
          () => world.operator.workQueueDepths(),
          (depths) => Object.values(depths).every((n) => n === 0),
          { timeoutMs: DrainBoundMs, pollMs: 1_000 },
        );
        rss.stop();
        assertServicesAlive(live);

        const deadLetters = await world.operator.deadLetters();
        const ledger = countLedger({
          placed: stream.placed,
          refused: stream.refused,
          initialStock,
          orders: await world.db.orders(customerPrefix),
          products: await world.db.products(products.map((p) => p.sku)),
          reservations: await world.db.reservations(ids),
          payments: await world.db.payments(ids),
          notifications: await world.db.notifications(ids),
          unsentOutbox: await world.db.unsentOutbox(),
          workQueues,
          deadLetters,
          poisonIds: world.poisonIds,
        });
        const report: FaultReport = {
          profile: profile.name,
          broker: replication,
          startedAt: new Date(started).toISOString(),
          durationS: Math.round((Date.now() - started) / 1000),
          machine: machine(),
          ledger,
          resentCommands: await world.db.resentCommands(ids),
          deadLetters: {
            injected: world.poisonIds.length,
            parked: deadLetters.filter((d) => d.messageId && world.poisonIds.includes(d.messageId)).length,
          },
          faults: records,
          rssRun: rssOverRun(rss),
        };
        const file = writeReport(report);
        process.stdout.write(`\n${formatReport(report)}\n(written to ${file})\n`);

        expect({
          lost: ledger.lost,
          duplicated: ledger.duplicated,
          unexpected: ledger.unexpected,
          violations: ledger.violations,
        }).toEqual({
          lost: 0,
          duplicated: 0,
          unexpected: 0,
          violations: [],
        });
        expect(records.filter((r) => !r.recovered).map((r) => r.name)).toEqual([]);
        expect(ledger.orders).toBeGreaterThanOrEqual(profile.minOrders);
        for (const record of records.filter((r) => r.rss)) {
          for (const [service, { before, peak }] of Object.entries(record.rss ?? {})) {
            expect({ fault: record.name, service, boundedGrowth: peak - before < RssGrowthBoundMib }).toEqual(
              {
                fault: record.name,
                service,
                boundedGrowth: true,
              },
            );
          }
        }
      },
      profile.name === 'short' ? 300_000 : 1_800_000,
    );
  });
}

function serviceLogDir(profile: FaultProfile): string {
  const dir = path.resolve(__dirname, `../../../../.local/test-results/faults-${profile.name}-logs`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

function assertServicesAlive(stack: TestStack): void {
  for (const service of stack.fleet.services) {
    if (service.process.exitCode !== null || service.process.signalCode !== null) {
      throw new Error(
        `${service.name} exited (${service.process.exitCode ?? service.process.signalCode}) during the fault suite:\n${service.output()}`,
      );
    }
  }
}

function rssOverRun(rss: RssSampler): FaultReport['rssRun'] {
  const run: FaultReport['rssRun'] = {};
  for (const sample of rss.samples) {
    for (const [service, mib] of Object.entries(sample.mib)) {
      const entry = (run[service] ??= { first: mib, peak: mib, last: mib });
      entry.peak = Math.max(entry.peak, mib);
      entry.last = mib;
    }
  }
  return run;
}
