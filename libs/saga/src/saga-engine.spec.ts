import {
  AuthorisePayment,
  CommitStock,
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
  StockUnavailable,
  VoidPayment,
} from '@orderly/contracts';
import { defineSaga, emit, next, reject, send, step } from './define-saga';
import {
  cancelSaga,
  type EngineContext,
  type Ignored,
  isIgnored,
  onDeadline,
  onReply,
  type Reply,
  type Result,
  retrySaga,
  startSaga,
  type Transition,
} from './saga-engine';
import type { SagaState } from './saga-state';

interface Shop {
  orderId: string;
  customerId: string;
}
const ORDER = '0b7f6a52-3c0c-4d7e-9f57-6c7e0a1d2b3c';
const data: Shop = { orderId: ORDER, customerId: 'c-1' };

const TestSaga = defineSaga<Shop>({
  name: 'test-order',
  steps: [
    step('reserve', {
      send: send(ReserveStock, (o) => ({ orderId: o.orderId, lines: [{ sku: 'A', quantity: 1 }] })),
      replies: {
        [StockReserved.type]: next,
        [StockUnavailable.type]: reject(StockUnavailable, (r) => `missing ${r.data.missing.length}`),
      },
      compensate: {
        send: send(ReleaseStock, (o, reason) => ({ orderId: o.orderId, reason })),
        done: [StockReleased],
      },
    }),
    step('authorise', {
      send: send(AuthorisePayment, (o) => ({
        orderId: o.orderId,
        customerId: o.customerId,
        amount: { amountMinor: 100, currency: 'EUR' },
      })),
      replies: {
        [PaymentAuthorised.type]: next,
        [PaymentDeclined.type]: reject(PaymentDeclined, (r) => `declined: ${r.data.reason}`),
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
      total: { amountMinor: 100, currency: 'EUR' },
    }),
  ],
  compensated: (o, end) => [
    end.cancelled
      ? emit(OrderCancelled, { orderId: o.orderId, customerId: o.customerId, reason: end.reason })
      : emit(OrderRejected, { orderId: o.orderId, customerId: o.customerId, reason: end.reason }),
  ],
});

/** A clock the test moves and ids that read as what they are. */
function world() {
  let now = Date.parse('2026-01-01T00:00:00Z');
  let n = 0;
  const ctx = (): EngineContext => ({
    now: new Date(now),
    newId: () => `m${++n}`,
    source: '/test',
    settings: { stepTimeoutMs: 1_000, stepMaxAttempts: 2, compensationMaxAttempts: 3 },
  });
  return { ctx, advance: (ms: number) => (now += ms) };
}

function applied<D>(r: Result<D>): Transition<D> {
  if (isIgnored(r)) throw new Error(`expected a transition, got ignored: ${r.ignored}`);
  return r;
}

/** The reply a participant sends to the command the saga waits for. */
function replyTo(state: SagaState, type: string, body: object = {}, id = `r-${type}`): Reply {
  return { id, type, causationId: state.awaitingMessageId ?? undefined, data: { orderId: ORDER, ...body } };
}

const sentTypes = (t: Transition<unknown>) => t.outgoing.map((o) => o.message.type);

describe('saga engine', () => {
  it('starts RUNNING with the first step sent, correlated by saga id, deadline set', () => {
    const { ctx } = world();
    const t = startSaga(TestSaga, ORDER, data, ctx());
    expect(t.state).toMatchObject({
      status: 'RUNNING',
      stepIndex: 0,
      phase: 'forward',
      attempt: 1,
      awaitingMessageId: 'm1',
      version: 0,
    });
    expect(t.state.deadlineAt?.toISOString()).toBe('2026-01-01T00:00:01.000Z');
    expect(t.outgoing[0].message).toMatchObject({
      id: 'm1',
      type: ReserveStock.type,
      correlationId: ORDER,
      subject: ORDER,
    });
    expect(t.log).toEqual([
      expect.objectContaining({ step: 'reserve', attempt: 1, direction: 'sent', messageId: 'm1' }),
    ]);
  });

  it('completes when every step succeeds, then publishes the completed events', () => {
    const { ctx } = world();
    let s = startSaga(TestSaga, ORDER, data, ctx()).state;
    const after = [StockReserved, PaymentAuthorised, StockCommitted].map((reply, i) => {
      const body =
        i === 0
          ? { reservationId: ORDER }
          : i === 1
            ? { authorisationId: ORDER, amount: { amountMinor: 100, currency: 'EUR' } }
            : {};
      const t = applied(onReply(TestSaga, s, replyTo(s, reply.type, body), ctx()));
      s = t.state;
      return t;
    });
    expect(after.map(sentTypes)).toEqual([
      [AuthorisePayment.type],
      [CommitStock.type],
      [OrderConfirmed.type],
    ]);
    expect(s).toMatchObject({ status: 'COMPLETED', awaitingMessageId: null, deadlineAt: null });
    expect(after[2].ended).toBe('completed');
    expect(after[2].stepsFinished).toEqual([{ step: 'commit', outcome: 'succeeded', seconds: 0 }]);
  });

  it('a refusal on the first step compensates nothing and ends COMPENSATED with the reason', () => {
    const { ctx } = world();
    const s = startSaga(TestSaga, ORDER, data, ctx()).state;
    const t = applied(
      onReply(
        TestSaga,
        s,
        replyTo(s, StockUnavailable.type, { missing: [{ sku: 'A', requested: 1, available: 0 }] }),
        ctx(),
      ),
    );
    expect(t.state).toMatchObject({ status: 'COMPENSATED', reason: 'missing 1', cancelled: false });
    expect(sentTypes(t)).toEqual([OrderRejected.type]);
    expect(t.ended).toBe('compensated');
  });

  it('a declined payment releases the stock (not the payment), then rejects', () => {
    const { ctx } = world();
    let s = startSaga(TestSaga, ORDER, data, ctx()).state;
    s = applied(onReply(TestSaga, s, replyTo(s, StockReserved.type, { reservationId: ORDER }), ctx())).state;
    const declined = applied(
      onReply(TestSaga, s, replyTo(s, PaymentDeclined.type, { reason: 'card' }), ctx()),
    );
    expect(declined.state).toMatchObject({
      status: 'COMPENSATING',
      stepIndex: 0,
      phase: 'compensation',
      reason: 'declined: card',
    });
    expect(sentTypes(declined)).toEqual([ReleaseStock.type]);
    expect(declined.outgoing[0].message.data).toEqual({ orderId: ORDER, reason: 'declined: card' });
    const released = applied(
      onReply(TestSaga, declined.state, replyTo(declined.state, StockReleased.type), ctx()),
    );
    expect(released.state.status).toBe('COMPENSATED');
    expect(sentTypes(released)).toEqual([OrderRejected.type]);
  });

  it('re-sends a silent step up to its limit, then compensates it and the steps before, last first', () => {
    const { ctx, advance } = world();
    let s = startSaga(TestSaga, ORDER, data, ctx()).state;
    s = applied(onReply(TestSaga, s, replyTo(s, StockReserved.type, { reservationId: ORDER }), ctx())).state;
    expect(isIgnored(onDeadline(TestSaga, s, ctx()))).toBe(true); // not due yet
    advance(1_000);
    const resent = applied(onDeadline(TestSaga, s, ctx()));
    expect(resent.state).toMatchObject({ attempt: 2, stepIndex: 1 });
    expect(resent.state.awaitingMessageId).not.toBe(s.awaitingMessageId);
    expect(resent.log[0]).toMatchObject({
      attempt: 2,
      outcome: 'resent after deadline',
      messageType: AuthorisePayment.type,
    });
    advance(1_000);
    const gaveUp = applied(onDeadline(TestSaga, resent.state, ctx()));
    expect(gaveUp.stepsFinished).toEqual([{ step: 'authorise', outcome: 'timed_out', seconds: 2 }]);
    expect(gaveUp.state).toMatchObject({ status: 'COMPENSATING', stepIndex: 1, reason: 'payment timed out' });
    expect(sentTypes(gaveUp)).toEqual([VoidPayment.type]);
    const voided = applied(onReply(TestSaga, gaveUp.state, replyTo(gaveUp.state, PaymentVoided.type), ctx()));
    expect(sentTypes(voided)).toEqual([ReleaseStock.type]);
    const released = applied(
      onReply(TestSaga, voided.state, replyTo(voided.state, StockReleased.type), ctx()),
    );
    expect(released.state).toMatchObject({ status: 'COMPENSATED', reason: 'payment timed out' });
    expect(sentTypes(released)).toEqual([OrderRejected.type]);
  });

  it('ignores duplicate, late and foreign replies', () => {
    const { ctx, advance } = world();
    const first = startSaga(TestSaga, ORDER, data, ctx()).state;
    advance(1_000);
    const second = applied(onDeadline(TestSaga, first, ctx())).state;
    const late: Ignored = onReply(
      TestSaga,
      second,
      replyTo(first, StockReserved.type, { reservationId: ORDER }),
      ctx(),
    ) as Ignored;
    expect(late.ignored).toMatch(/not a reply/);
    expect(
      isIgnored(
        onReply(TestSaga, second, { ...replyTo(second, StockReserved.type), causationId: undefined }, ctx()),
      ),
    ).toBe(true);
    expect(isIgnored(onReply(TestSaga, second, replyTo(second, PaymentVoided.type), ctx()))).toBe(true);
    const advanced = applied(
      onReply(TestSaga, second, replyTo(second, StockReserved.type, { reservationId: ORDER }), ctx()),
    );
    expect(
      isIgnored(
        onReply(
          TestSaga,
          advanced.state,
          replyTo(second, StockReserved.type, { reservationId: ORDER }),
          ctx(),
        ),
      ),
    ).toBe(true);
  });

  it('a compensation that never answers is retried to its limit, then FAILED; an operator retry resumes it', () => {
    const { ctx, advance } = world();
    let s = startSaga(TestSaga, ORDER, data, ctx()).state;
    s = applied(cancelSaga(TestSaga, s, 'customer', ctx())).state;
    expect(s).toMatchObject({ status: 'COMPENSATING', stepIndex: 0, cancelled: true, attempt: 1 });
    for (let attempt = 2; attempt <= 3; attempt++) {
      advance(1_000);
      s = applied(onDeadline(TestSaga, s, ctx())).state;
      expect(s.attempt).toBe(attempt);
    }
    advance(1_000);
    const failed = applied(onDeadline(TestSaga, s, ctx()));
    expect(failed.state).toMatchObject({ status: 'FAILED', phase: 'compensation', awaitingMessageId: null });
    expect(failed.ended).toBe('failed');
    expect(isIgnored(cancelSaga(TestSaga, failed.state, 'again', ctx()))).toBe(true);
    const retried = applied(retrySaga(TestSaga, failed.state, ctx()));
    expect(retried.state).toMatchObject({ status: 'COMPENSATING', attempt: 1, endedAt: null });
    expect(sentTypes(retried)).toEqual([ReleaseStock.type]);
    const done = applied(onReply(TestSaga, retried.state, replyTo(retried.state, StockReleased.type), ctx()));
    expect(done.state).toMatchObject({ status: 'COMPENSATED', cancelled: true, reason: 'customer' });
    expect(sentTypes(done)).toEqual([OrderCancelled.type]);
  });

  it('a step without compensation that never answers FAILS the saga (it cannot be undone)', () => {
    const { ctx, advance } = world();
    let s = startSaga(TestSaga, ORDER, data, ctx()).state;
    s = applied(onReply(TestSaga, s, replyTo(s, StockReserved.type, { reservationId: ORDER }), ctx())).state;
    s = applied(
      onReply(
        TestSaga,
        s,
        replyTo(s, PaymentAuthorised.type, {
          authorisationId: ORDER,
          amount: { amountMinor: 1, currency: 'EUR' },
        }),
        ctx(),
      ),
    ).state;
    expect(isIgnored(cancelSaga(TestSaga, s, 'too late', ctx()))).toBe(true);
    advance(1_000);
    s = applied(onDeadline(TestSaga, s, ctx())).state;
    advance(1_000);
    const failed = applied(onDeadline(TestSaga, s, ctx()));
    expect(failed.state).toMatchObject({
      status: 'FAILED',
      phase: 'forward',
      stepIndex: 2,
      reason: 'no reply to commit after 2 attempts',
    });
    expect(sentTypes(failed)).toEqual([]);
    const retried = applied(retrySaga(TestSaga, failed.state, ctx()));
    expect(retried.state).toMatchObject({ status: 'RUNNING', stepIndex: 2, attempt: 1 });
    expect(sentTypes(retried)).toEqual([CommitStock.type]);
  });

  it('terminal sagas ignore everything', () => {
    const { ctx, advance } = world();
    const s = startSaga(TestSaga, ORDER, data, ctx()).state;
    const done = applied(
      onReply(TestSaga, s, replyTo(s, StockUnavailable.type, { missing: [] }), ctx()),
    ).state;
    advance(10_000);
    expect(isIgnored(onDeadline(TestSaga, done, ctx()))).toBe(true);
    expect(
      isIgnored(onReply(TestSaga, done, replyTo(s, StockReserved.type, { reservationId: ORDER }), ctx())),
    ).toBe(true);
    expect(isIgnored(retrySaga(TestSaga, done, ctx()))).toBe(true);
  });

  it('refuses definitions with repeated steps or without replies', () => {
    const s = TestSaga.steps[0];
    expect(() => defineSaga({ name: 'x', steps: [s, s] })).toThrow(/twice/);
    expect(() => defineSaga({ name: 'x', steps: [] })).toThrow(/no steps/);
    expect(() => defineSaga({ name: 'x', steps: [{ ...s, replies: {} }] })).toThrow(/no reply/);
  });
});
