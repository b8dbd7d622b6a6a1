import { Controller, Global, type INestApplication, Module } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { deadLetterQueueOf, retryQueueOf, type TopologyDeclaration } from '@orderly/contracts';
import { AmqpClient } from '../client/amqp-client';
import { DeadLetterHeaders } from '../consumer/dead-letter-parker';
import { encodeMessage } from '../envelope/cloud-events-binding';
import { MESSAGING_HOOKS, type FailureDisposition, type MessagingHooks } from '../messaging-hooks';
import { Handles } from '../nest/handles.decorator';
import { startTestService, TestBroker, waitFor } from '../test-support/messaging-test-bed';
import { parcel, ShipParcel, source, TestQueues, TestServices, TestTopology } from '../test-support/test-topology';

/** The ladder under test: 4 handlings, waiting 200, 400, then 400 ms again; each wait shortened by up to 25%. */
const delaysMs = [200, 400];
const maxAttempts = 4;
const jitter = 0.25;
/** Expiry, dead-lettering and redelivery on a loaded 2-core machine; the lower bound is exact. */
const latencyToleranceMs = 1_000;
const maxMessageBytes = 2_048;
const queue = TestQueues.shippingCommands;
const tiers = delaysMs.map((delayMs) => retryQueueOf(queue, delayMs));

const topology: TopologyDeclaration = {
  ...TestTopology,
  queues: TestTopology.queues.map((q) => (q.name === queue ? { ...q, retry: { delaysMs, maxAttempts } } : q)),
};

/** Every handler call: which message, which attempt (1-based, counted here), when, and how it ended. */
const calls: Array<{ id: string; at: number; outcome: 'failed' | 'succeeded' }> = [];
let behaviour: (command: ShipParcel, attempt: number) => Promise<void> = async () => undefined;
const dispositions: FailureDisposition[] = [];

const hooks: MessagingHooks = { onFailure: (disposition) => void dispositions.push(disposition) };

@Global()
@Module({ providers: [{ provide: MESSAGING_HOOKS, useValue: hooks }], exports: [MESSAGING_HOOKS] })
class RecordingHooksModule {}

@Controller()
class ShippingHandlers {
  @Handles(ShipParcel)
  async ship(@Payload() command: ShipParcel): Promise<void> {
    const attempt = calls.filter((c) => c.id === command.id).length + 1;
    const at = performance.now();
    try {
      await behaviour(command, attempt);
    } catch (error) {
      calls.push({ id: command.id, at, outcome: 'failed' });
      throw error;
    }
    calls.push({ id: command.id, at, outcome: 'succeeded' });
  }
}

const callsOf = (id: string) => calls.filter((c) => c.id === id);

describe('AmqpServer retry ladder', () => {
  let broker: TestBroker;
  let app: INestApplication;

  beforeAll(async () => {
    broker = await TestBroker.create('messaging-retry');
    await broker.provision(topology);
    app = await startTestService({
      broker,
      service: TestServices.shipping,
      topology,
      controllers: [ShippingHandlers],
      imports: [RecordingHooksModule],
      retryJitter: jitter,
      maxMessageBytes,
    });
  });

  afterAll(async () => {
    await app?.close();
    await broker?.dispose();
  });

  beforeEach(async () => {
    calls.length = 0;
    dispositions.length = 0;
    behaviour = async () => undefined;
    for (const name of [queue, ...tiers, deadLetterQueueOf(queue)]) await broker.takeAll(name);
  });

  it('retries a handler that fails twice after the configured delays, and it succeeds once; nothing is parked', async () => {
    const command = ShipParcel.create(parcel(1), source);
    behaviour = async (_, attempt) => {
      if (attempt <= 2) throw new Error(`warehouse API unavailable (attempt ${attempt})`);
    };
    await app.get(AmqpClient).publish(ShipParcel, command);

    await waitFor(() => callsOf(command.id).some((c) => c.outcome === 'succeeded'), { what: 'the third handling to succeed' });
    const handled = callsOf(command.id);
    expect(handled.map((c) => c.outcome)).toEqual(['failed', 'failed', 'succeeded']);
    const gaps = [handled[1].at - handled[0].at, handled[2].at - handled[1].at];
    delaysMs.forEach((delay, i) => {
      expect(gaps[i]).toBeGreaterThanOrEqual(delay * (1 - jitter) - 5); // timers round to the ms
      expect(gaps[i]).toBeLessThanOrEqual(delay + latencyToleranceMs);
    });
    expect(dispositions.map((d) => [d.queue, d.messageType, d.attempt, d.outcome])).toEqual([
      [queue, ShipParcel.type, 1, 'retry'],
      [queue, ShipParcel.type, 2, 'retry'],
    ]);
    dispositions.forEach((d, i) => {
      expect(d.delayMs).toBeGreaterThanOrEqual(Math.round(delaysMs[i] * (1 - jitter)));
      expect(d.delayMs).toBeLessThanOrEqual(delaysMs[i]);
    });

    expect(await broker.ready(deadLetterQueueOf(queue))).toBe(0);
    for (const name of [queue, ...tiers]) expect(await broker.ready(name)).toBe(0);
  });

  it('parks a message that always fails after exactly maxAttempts handlings, with its history, while the queue keeps delivering others', async () => {
    const doomed = ShipParcel.create(parcel(1), source);
    const others = [2, 3, 4, 5, 6].map((seq) => ShipParcel.create(parcel(seq), source));
    behaviour = async (command) => {
      if (command.id === doomed.id) throw new Error(`label printer jammed on ${command.data.parcelId}`);
    };
    const client = app.get(AmqpClient);
    await client.publish(ShipParcel, doomed);
    await waitFor(() => callsOf(doomed.id).length === 1, { what: 'the first failure' });
    for (const message of others) await client.publish(ShipParcel, message);

    const dlq = deadLetterQueueOf(queue);
    await waitFor(async () => (await broker.ready(dlq)) === 1, { what: `the message parked in ${dlq}` });
    expect(callsOf(doomed.id).map((c) => c.outcome)).toEqual(Array<string>(maxAttempts).fill('failed'));
    // Every other message was handled while the doomed one waited in the tiers.
    const lastAttempt = callsOf(doomed.id)[maxAttempts - 1].at;
    for (const message of others) {
      expect(callsOf(message.id)).toEqual([expect.objectContaining({ outcome: 'succeeded' })]);
      expect(callsOf(message.id)[0].at).toBeLessThan(lastAttempt);
    }

    const [letter] = await broker.takeAll(dlq);
    expect(letter.properties.messageId).toBe(doomed.id);
    expect(JSON.parse(letter.content.toString())).toEqual(doomed.data);
    const headers = letter.properties.headers ?? {};
    expect(headers).toMatchObject({
      [DeadLetterHeaders.attempts]: maxAttempts,
      [DeadLetterHeaders.errorType]: 'Error',
      [DeadLetterHeaders.errorMessage]: 'label printer jammed on parcel-1',
      [DeadLetterHeaders.retryable]: true,
      [DeadLetterHeaders.consumer]: TestServices.shipping,
      [DeadLetterHeaders.originalExchange]: ShipParcel.exchange,
      [DeadLetterHeaders.originalRoutingKey]: ShipParcel.type,
      'cloudEvents:type': ShipParcel.type,
    });
    const first = Date.parse(String(headers[DeadLetterHeaders.firstFailedAt]));
    const last = Date.parse(String(headers[DeadLetterHeaders.failedAt]));
    expect(last - first).toBeGreaterThanOrEqual((delaysMs[0] + 2 * delaysMs[1]) * (1 - jitter) - 5);
    expect(dispositions.map((d) => [d.attempt, d.outcome])).toEqual([
      [1, 'retry'],
      [2, 'retry'],
      [3, 'retry'],
      [4, 'dead-letter'],
    ]);
    // The last tier served twice: attempts beyond the declared tiers wait in the last one.
    expect(dispositions[2].delayMs).toBeGreaterThanOrEqual(delaysMs[1] * (1 - jitter));
    for (const name of [queue, ...tiers]) expect(await broker.ready(name)).toBe(0);
  });

  it('parks a message whose delay tier is missing instead of losing or looping it', async () => {
    await broker.vhost.api('DELETE', `/queues/${encodeURIComponent(broker.vhost.vhost)}/${encodeURIComponent(tiers[0])}`);
    try {
      const command = ShipParcel.create(parcel(1), source);
      behaviour = async () => {
        throw new Error('warehouse API unavailable');
      };
      await app.get(AmqpClient).publish(ShipParcel, command);
      const dlq = deadLetterQueueOf(queue);
      await waitFor(async () => (await broker.ready(dlq)) === 1, { what: `the message parked in ${dlq}` });
      const [letter] = await broker.takeAll(dlq);
      expect(letter.properties.messageId).toBe(command.id);
      expect(letter.properties.headers).toMatchObject({ [DeadLetterHeaders.attempts]: 1, [DeadLetterHeaders.retryable]: true });
      expect(callsOf(command.id)).toHaveLength(1);
      expect(dispositions.map((d) => [d.attempt, d.outcome])).toEqual([[1, 'dead-letter']]);
      expect(await broker.ready(queue)).toBe(0);
    } finally {
      await broker.provision(topology); // the service re-declares its tiers only after a reconnect
    }
  });

  it('parks malformed JSON, an unknown type, a schema violation and an oversized body at once, with the reason', async () => {
    const send = async (change: (e: ReturnType<typeof encodeMessage>) => void) => {
      const message = ShipParcel.create(parcel(1), source);
      const encoded = encodeMessage(message);
      change(encoded);
      await broker.sendToQueue(queue, encoded.content, encoded.options);
      return message.id;
    };
    const reasons = new Map<string, RegExp>([
      [await send((e) => (e.content = Buffer.from('{"parcelId": "p-1", "seq": '))), /^body of test\.ship-parcel is not valid JSON$/],
      [
        await send((e) => {
          e.options.headers = { ...e.options.headers, 'cloudEvents:type': 'test.unheard-of' };
          e.options.type = 'test.unheard-of';
        }),
        /^unknown message type "test\.unheard-of"$/,
      ],
      [await send((e) => (e.content = Buffer.from('{"parcelId":"p-1","seq":"one"}'))), /^body of test\.ship-parcel breaks its schema: seq: /],
      [
        // Valid against the schema: only its size is wrong.
        await send((e) => (e.content = Buffer.from(JSON.stringify({ parcelId: 'p'.repeat(maxMessageBytes), seq: 1 })))),
        /^body of \d+ bytes exceeds the limit of 2048 bytes \(maxMessageBytes\)$/,
      ],
    ]);
    const fine = ShipParcel.create(parcel(2), source);
    await app.get(AmqpClient).publish(ShipParcel, fine);

    const dlq = deadLetterQueueOf(queue);
    await waitFor(async () => (await broker.ready(dlq)) === reasons.size, { what: `${reasons.size} messages in ${dlq}` });
    await waitFor(() => callsOf(fine.id).length === 1, { what: 'the valid message handled' });
    expect(calls.map((c) => c.id)).toEqual([fine.id]);
    for (const letter of await broker.takeAll(dlq)) {
      const headers = letter.properties.headers ?? {};
      expect(headers).toMatchObject({
        [DeadLetterHeaders.errorType]: 'InvalidMessageError',
        [DeadLetterHeaders.retryable]: false,
        [DeadLetterHeaders.attempts]: 1,
        [DeadLetterHeaders.consumer]: TestServices.shipping,
      });
      expect(String(headers[DeadLetterHeaders.errorMessage])).toMatch(reasons.get(String(letter.properties.messageId)) ?? /no such message/);
    }
    expect(dispositions.map((d) => [d.outcome, d.attempt, d.failure.retryable])).toEqual(
      Array.from({ length: reasons.size }, () => ['dead-letter', 1, false]),
    );
    // Only known types become labels.
    expect(dispositions.filter((d) => d.messageType === undefined)).toHaveLength(1);
    for (const name of [queue, ...tiers]) expect(await broker.ready(name)).toBe(0);
  });
});
