import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  AuthorisePayment,
  CommitStock,
  type Message,
  type MessageContract,
  OrderCancelled,
  OrderConfirmed,
  OrderRejected,
  PaymentAuthorised,
  PaymentDeclined,
  PaymentVoided,
  ReleaseStock,
  ReserveStock,
  StockCommitted,
  StockReleased,
  StockReserved,
  VoidPayment,
} from '@orderly/contracts';
import { type SagaMetricsRecorder, startTelemetry, type Telemetry } from '@orderly/observability';
import { PrismaClient as OrderDatabase } from '@orderly/order-db';
import { OutboxWriter } from '@orderly/outbox';
import { createTestDatabase, OtlpReceiver, type TestDatabase, workspaceRoot } from '@orderly/testing';
import { trace } from '@opentelemetry/api';
import { PrismaPg } from '@prisma/adapter-pg';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { defineSaga, emit, next, reject, send, step } from './define-saga';
import { SagaConcurrencyError } from './errors/saga-concurrency.error';
import { SagaTransitionRefusedError } from './errors/saga-transition-refused.error';
import { resolveSagaOptions } from './saga-options';
import { SagaRuntime } from './saga-runtime';
import type { SagaState } from './saga-state';
import type { SagaDatabase } from './store/saga-database';
import { SagaStore } from './store/saga-store';

// The runtime against a real PostgreSQL migrated with order-service's migrations (where the saga tables
// live): what one transition writes (instance, timeline, outbox), reply matching, deadlines, compensation
// order, and concurrent writers. The deadline sweeper is driven by hand (runSweeper: false) with a clock
// that each sweep moves past every deadline set so far, so nothing here waits on a timer.

interface Shop {
  orderId: string;
  customerId: string;
}

const Saga = defineSaga<Shop>({
  name: 'shop-order',
  steps: [
    step('reserve', {
      send: send(ReserveStock, (o) => ({ orderId: o.orderId, lines: [{ sku: 'A', quantity: 1 }] })),
      replies: { [StockReserved.type]: next },
      compensate: {
        send: send(ReleaseStock, (o, reason) => ({ orderId: o.orderId, reason })),
        done: [StockReleased],
      },
    }),
    step('authorise', {
      send: send(AuthorisePayment, (o) => ({
        orderId: o.orderId,
        customerId: o.customerId,
        amount: { amountMinor: 5, currency: 'EUR' },
      })),
      replies: {
        [PaymentAuthorised.type]: next,
        [PaymentDeclined.type]: reject(PaymentDeclined, (r) => r.data.reason),
      },
      compensate: {
        send: send(VoidPayment, (o, reason) => ({ orderId: o.orderId, reason })),
        done: [PaymentVoided],
      },
      timedOut: 'payment timed out',
    }),
    step('commit', {
      send: send(CommitStock, (o) => ({ orderId: o.orderId })),
      replies: { [StockCommitted.type]: next },
    }),
  ],
  completed: (o) => [
    emit(OrderConfirmed, {
      orderId: o.orderId,
      customerId: o.customerId,
      total: { amountMinor: 5, currency: 'EUR' },
    }),
  ],
  compensated: (o, end) => [
    end.cancelled
      ? emit(OrderCancelled, { orderId: o.orderId, customerId: o.customerId, reason: end.reason })
      : emit(OrderRejected, { orderId: o.orderId, customerId: o.customerId, reason: end.reason }),
  ],
});

class RecordingMetrics implements SagaMetricsRecorder {
  readonly calls: string[] = [];
  started(saga: string): void {
    this.calls.push(`started ${saga}`);
  }
  completed(saga: string, outcome: string): void {
    this.calls.push(`completed ${saga} ${outcome}`);
  }
  stepFinished(_saga: string, step: string, outcome: string): void {
    this.calls.push(`step ${step} ${outcome}`);
  }
  inFlight(saga: string, count: number): void {
    this.calls.push(`inFlight ${saga} ${count}`);
  }
  stuck(saga: string, count: number): void {
    this.calls.push(`stuck ${saga} ${count}`);
  }
}

let database: TestDatabase;
let prisma: OrderDatabase;

beforeAll(async () => {
  database = await createTestDatabase('saga_runtime');
  const client = new Client({ connectionString: database.url });
  await client.connect();
  const dir = path.join(workspaceRoot(), 'prisma', 'order', 'migrations');
  for (const name of readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort()) {
    await client.query(readFileSync(path.join(dir, name, 'migration.sql'), 'utf8'));
  }
  await client.end();
  prisma = new OrderDatabase({ adapter: new PrismaPg({ connectionString: database.url }) });
});

afterAll(async () => {
  await prisma?.$disconnect();
  await database?.dispose();
});

let clockOffsetMs = 0;
/** A sweep clock past every deadline set so far (all deadlines here are 60 s or less). */
const later = (): Date => new Date(Date.now() + (clockOffsetMs += 61_000));

function runtime(
  settings: { stepTimeoutMs?: number; stepMaxAttempts?: number; compensationMaxAttempts?: number } = {},
) {
  const metrics = new RecordingMetrics();
  const options = resolveSagaOptions({
    database: prisma as unknown as SagaDatabase,
    definitions: [Saga],
    source: '/test/saga',
    runSweeper: false,
    metrics,
    stepTimeoutMs: 60_000,
    ...settings,
  });
  return { runtime: new SagaRuntime(options, new OutboxWriter({ notify: false })), metrics };
}

async function started(rt: SagaRuntime): Promise<SagaState<Shop>> {
  const id = randomUUID();
  return prisma.$transaction((tx) =>
    rt.start(tx as unknown as SagaDatabase, Saga, id, { orderId: id, customerId: 'c' }),
  );
}

/** Outbox rows written for a saga, in order: what the relay would publish. */
async function outbox(
  sagaId: string,
): Promise<Array<{ id: string; type: string; causationId: string | null }>> {
  const rows = await prisma.outboxMessage.findMany({
    where: { correlationId: sagaId },
    orderBy: { id: 'asc' },
  });
  return rows.map((r) => ({ id: r.messageId, type: r.type, causationId: r.causationId }));
}

async function load(id: string): Promise<SagaState> {
  const state = await SagaStore.load(prisma as unknown as SagaDatabase, id, false);
  if (!state) throw new Error(`no saga ${id}`);
  return state;
}

async function awaiting(id: string): Promise<string> {
  const commandId = (await load(id)).awaitingMessageId;
  if (!commandId) throw new Error(`saga ${id} awaits nothing`);
  return commandId;
}

/** The reply a participant sends to the command with id `commandId`. */
function reply<C extends MessageContract>(
  contract: C,
  sagaId: string,
  commandId: string,
  data: object = {},
): Message {
  return contract.create(
    { orderId: sagaId, ...data },
    { source: '/test/participant', subject: sagaId, correlationId: sagaId, causationId: commandId },
  );
}

const replyTo = (rt: SagaRuntime, m: Message) =>
  prisma.$transaction((tx) => rt.handleReply(tx as unknown as SagaDatabase, m));

describe('SagaRuntime (real PostgreSQL)', () => {
  it('persists the instance, its first command in the outbox and the timeline in one transaction', async () => {
    const { runtime: rt, metrics } = runtime();
    const s = await started(rt);
    const row = await load(s.id);
    expect(row).toMatchObject({
      status: 'RUNNING',
      stepIndex: 0,
      attempt: 1,
      version: 0,
      data: { orderId: s.id },
    });
    const [command] = await outbox(s.id);
    expect(command).toMatchObject({ type: ReserveStock.type, id: row.awaitingMessageId });
    const view = await rt.find(s.id);
    expect(view?.timeline).toEqual([
      expect.objectContaining({ step: 'reserve', attempt: 1, direction: 'sent', messageId: command.id }),
    ]);
    expect(metrics.calls).toEqual(['started shop-order']);
  });

  it('a rolled-back start leaves nothing behind', async () => {
    const { runtime: rt } = runtime();
    const id = randomUUID();
    await expect(
      prisma.$transaction(async (tx) => {
        await rt.start(tx as unknown as SagaDatabase, Saga, id, { orderId: id, customerId: 'c' });
        throw new Error('caller failed');
      }),
    ).rejects.toThrow('caller failed');
    expect(await SagaStore.load(prisma as unknown as SagaDatabase, id, false)).toBeUndefined();
    expect(await outbox(id)).toEqual([]);
  });

  it('runs to COMPLETED on matching replies; duplicate and late replies change nothing', async () => {
    const { runtime: rt, metrics } = runtime();
    const s = await started(rt);
    const reserve = (await outbox(s.id))[0];
    expect(await replyTo(rt, reply(StockReserved, s.id, reserve.id, { reservationId: randomUUID() }))).toBe(
      'applied',
    );
    const afterFirst = await load(s.id);
    // The same participant answering the same command again (e.g. it handled a re-send): a late reply.
    expect(await replyTo(rt, reply(StockReserved, s.id, reserve.id, { reservationId: randomUUID() }))).toBe(
      'ignored',
    );
    expect(await load(s.id)).toEqual(afterFirst);
    const authorise = (await outbox(s.id))[1];
    expect(authorise.type).toBe(AuthorisePayment.type);
    await replyTo(
      rt,
      reply(PaymentAuthorised, s.id, authorise.id, {
        authorisationId: randomUUID(),
        amount: { amountMinor: 5, currency: 'EUR' },
      }),
    );
    const commit = (await outbox(s.id))[2];
    await replyTo(rt, reply(StockCommitted, s.id, commit.id));
    expect(await load(s.id)).toMatchObject({ status: 'COMPLETED', version: 3, awaitingMessageId: null });
    expect((await outbox(s.id)).map((m) => m.type)).toEqual([
      ReserveStock.type,
      AuthorisePayment.type,
      CommitStock.type,
      OrderConfirmed.type,
    ]);
    const timeline = ((await rt.find(s.id))?.timeline ?? []).map(
      (e) => `${e.direction} ${e.step} ${e.messageType} ${e.outcome}`,
    );
    expect(timeline).toEqual([
      `sent reserve ${ReserveStock.type} sent`,
      `received reserve ${StockReserved.type} succeeded`,
      `sent authorise ${AuthorisePayment.type} sent`,
      `received authorise ${PaymentAuthorised.type} succeeded`,
      `sent commit ${CommitStock.type} sent`,
      `received commit ${StockCommitted.type} succeeded`,
      `sent completed ${OrderConfirmed.type} completed`,
    ]);
    expect(metrics.calls).toEqual([
      'started shop-order',
      'step reserve succeeded',
      'step authorise succeeded',
      'step commit succeeded',
      'completed shop-order completed',
    ]);
  });

  it('re-sends a silent step with a new message id, ignores the earlier attempt’s reply, then compensates in reverse order', async () => {
    const { runtime: rt, metrics } = runtime({ stepMaxAttempts: 2 });
    const s = await started(rt);
    await replyTo(
      rt,
      reply(StockReserved, s.id, (await outbox(s.id))[0].id, { reservationId: randomUUID() }),
    );
    await rt.sweepDue({ now: later() }); // attempt 2 of authorise (other sagas of this file are swept too)
    const [, first, second] = await outbox(s.id);
    expect([first.type, second.type]).toEqual([AuthorisePayment.type, AuthorisePayment.type]);
    expect(second.id).not.toBe(first.id);
    expect(await load(s.id)).toMatchObject({ stepIndex: 1, attempt: 2, awaitingMessageId: second.id });
    // The reply to attempt 1 is late: it changes nothing.
    expect(await replyTo(rt, reply(PaymentDeclined, s.id, first.id, { reason: 'late' }))).toBe('ignored');
    await rt.sweepDue({ now: later() }); // attempts used up: void the payment, then release the stock
    expect(await load(s.id)).toMatchObject({
      status: 'COMPENSATING',
      stepIndex: 1,
      phase: 'compensation',
      reason: 'payment timed out',
    });
    const voiding = (await outbox(s.id))[3];
    expect(voiding.type).toBe(VoidPayment.type);
    await replyTo(rt, reply(PaymentVoided, s.id, voiding.id));
    const releasing = (await outbox(s.id))[4];
    expect(releasing.type).toBe(ReleaseStock.type);
    await replyTo(rt, reply(StockReleased, s.id, releasing.id));
    expect(await load(s.id)).toMatchObject({ status: 'COMPENSATED', reason: 'payment timed out' });
    expect((await outbox(s.id)).map((m) => m.type)).toEqual([
      ReserveStock.type,
      AuthorisePayment.type,
      AuthorisePayment.type,
      VoidPayment.type,
      ReleaseStock.type,
      OrderRejected.type,
    ]);
    expect(metrics.calls).toContain('step authorise timed_out');
    expect(metrics.calls).toContain('completed shop-order compensated');
  });

  it('cancel compensates a running saga and ends COMPENSATED as cancelled; a second cancel is refused', async () => {
    const { runtime: rt } = runtime();
    const s = await started(rt);
    await rt.cancel(s.id, 'customer changed their mind');
    await expect(rt.cancel(s.id, 'again')).rejects.toBeInstanceOf(SagaTransitionRefusedError);
    const release = (await outbox(s.id))[1];
    expect(release.type).toBe(ReleaseStock.type);
    await replyTo(rt, reply(StockReleased, s.id, release.id));
    expect(await load(s.id)).toMatchObject({ status: 'COMPENSATED', cancelled: true });
    expect((await outbox(s.id)).at(-1)?.type).toBe(OrderCancelled.type);
  });

  it('a FAILED saga is resumed by retry()', async () => {
    const { runtime: rt } = runtime({ compensationMaxAttempts: 1 });
    const s = await started(rt);
    await rt.cancel(s.id, 'stop');
    await rt.sweepDue({ now: later() });
    expect(await load(s.id)).toMatchObject({ status: 'FAILED', phase: 'compensation' });
    await expect(rt.list({ status: 'FAILED', type: 'shop-order', limit: 500 })).resolves.toEqual(
      expect.arrayContaining([expect.objectContaining({ id: s.id, step: 'reserve:compensate' })]),
    );
    await rt.retry(s.id);
    const again = await load(s.id);
    expect(again).toMatchObject({ status: 'COMPENSATING', attempt: 1, endedAt: null });
    await replyTo(rt, reply(StockReleased, s.id, await awaiting(s.id)));
    expect(await load(s.id)).toMatchObject({ status: 'COMPENSATED' });
  });

  it('ignores a reply for a saga it does not know (another id, or no UUID at all)', async () => {
    const { runtime: rt } = runtime();
    const unknown = randomUUID();
    expect(await replyTo(rt, reply(StockReleased, unknown, randomUUID()))).toBe('ignored');
    const foreign = { ...reply(StockReleased, unknown, randomUUID()), correlationId: 'not-a-uuid' };
    expect(await replyTo(rt, foreign)).toBe('ignored');
  });

  it('refuses a write over a version someone else already moved on (optimistic concurrency)', async () => {
    const { runtime: rt } = runtime();
    const s = await started(rt);
    const stale = await load(s.id);
    await replyTo(rt, reply(StockReserved, s.id, await awaiting(s.id), { reservationId: randomUUID() }));
    await expect(
      prisma.$transaction((tx) =>
        SagaStore.save(tx as unknown as SagaDatabase, { ...stale, status: 'FAILED' }, undefined),
      ),
    ).rejects.toBeInstanceOf(SagaConcurrencyError);
    expect(await load(s.id)).toMatchObject({ status: 'RUNNING', stepIndex: 1, version: 1 });
  });

  it('concurrent replies to one saga take turns: exactly one advances it', async () => {
    const { runtime: rt } = runtime();
    const s = await started(rt);
    const commandId = await awaiting(s.id);
    const outcomes = await Promise.all(
      [1, 2, 3, 4].map(() =>
        replyTo(rt, reply(StockReserved, s.id, commandId, { reservationId: randomUUID() })),
      ),
    );
    expect(outcomes.filter((o) => o === 'applied')).toHaveLength(1);
    expect(await load(s.id)).toMatchObject({ stepIndex: 1, version: 1 });
    expect((await outbox(s.id)).map((m) => m.type)).toEqual([ReserveStock.type, AuthorisePayment.type]);
  });

  it('two sweepers side by side re-send each due saga once', async () => {
    const { runtime: a } = runtime({ stepMaxAttempts: 5 });
    const { runtime: b } = runtime({ stepMaxAttempts: 5 });
    const sagas = await Promise.all([1, 2, 3, 4, 5, 6].map(() => started(a)));
    // Both sweep as of the same moment; a re-sent saga's new deadline is after it, so each saga is
    // re-sent exactly once in all, by whichever sweeper claimed it.
    const now = later();
    const both = await Promise.all([a.sweepDue({ now }), b.sweepDue({ now })]);
    expect(both[0] + both[1]).toBeGreaterThanOrEqual(sagas.length);
    for (const s of sagas) {
      expect((await outbox(s.id)).map((m) => m.type)).toEqual([ReserveStock.type, ReserveStock.type]);
      expect(await load(s.id)).toMatchObject({ attempt: 2, version: 1 });
    }
  });
});

describe('SagaRuntime tracing', () => {
  let receiver: OtlpReceiver;
  let telemetry: Telemetry;

  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
    telemetry = startTelemetry({
      serviceName: 'saga-test',
      env: {},
      exporter: receiver.exporter(),
      autoInstrumentation: false,
      log: () => undefined,
    });
  });

  afterAll(async () => {
    await telemetry?.shutdown();
    await receiver?.close();
  });

  it('a step re-sent by the deadline sweep stays in the trace the saga started in', async () => {
    const { runtime: rt } = runtime();
    const { s, root } = await trace.getTracer('test').startActiveSpan('place order', async (span) => {
      const saga = await started(rt);
      span.end();
      return { s: saga, root: span.spanContext() };
    });
    await rt.sweepDue({ now: later() });
    const rows = await prisma.outboxMessage.findMany({
      where: { correlationId: s.id },
      orderBy: { id: 'asc' },
    });
    expect(rows.map((r) => r.type)).toEqual([ReserveStock.type, ReserveStock.type]);
    const [first, resent] = rows.map((r) => r.traceparent?.split('-'));

    await telemetry.forceFlush();
    const deadline = receiver.spans.find(
      (span) => span.name === `saga ${Saga.name} deadline` && span.traceId === root.traceId,
    );
    // Started: written under the request's span. Re-sent: under a deadline span, a child of the span the
    // saga's last transition ran in (here the start).
    expect({
      first: first?.[1],
      firstParent: first?.[2],
      resent: resent?.[1],
      resentParent: resent?.[2],
    }).toEqual({
      first: root.traceId,
      firstParent: root.spanId,
      resent: root.traceId,
      resentParent: deadline?.spanId,
    });
    expect(deadline?.parentSpanId).toBe(root.spanId);
  });
});
