import { Exchanges, Queues, ReserveStock, Topology, deadLetterQueueOf } from '@orderly/contracts';
import { DeadLetterHeaders } from '@orderly/messaging';
import { UsageError } from '../errors/broker-error';
import {
  describeDeadLetter,
  isSelected,
  readableBody,
  replayPropertiesOf,
  replayTargetOf,
  type FetchedMessage,
} from './dead-letter';
import { deadLetterQueuesOf, resolveDeadLetterQueue } from './dead-letter-queues';
import { formatAge, formatDeadLetter } from './format-dead-letter';

const parked = (
  headers: Record<string, unknown>,
  extra: Partial<FetchedMessage['properties']> = {},
): FetchedMessage => ({
  content: Buffer.from(JSON.stringify({ orderId: 'o-1', lines: [] })),
  fields: { exchange: '', routingKey: deadLetterQueueOf(Queues.inventoryCommands) },
  properties: {
    messageId: 'm-1',
    type: ReserveStock.type,
    contentType: 'application/json',
    headers: {
      'cloudEvents:id': 'm-1',
      'cloudEvents:type': ReserveStock.type,
      traceparent: 'tp',
      ...headers,
    },
    ...extra,
  },
});

const failure = {
  [DeadLetterHeaders.errorType]: 'TypeError',
  [DeadLetterHeaders.errorMessage]: 'stock table locked',
  [DeadLetterHeaders.retryable]: true,
  [DeadLetterHeaders.consumer]: 'inventory-service',
  [DeadLetterHeaders.originalExchange]: Exchanges.inventoryCommands,
  [DeadLetterHeaders.originalRoutingKey]: ReserveStock.type,
  [DeadLetterHeaders.attempts]: 5,
  [DeadLetterHeaders.firstFailedAt]: '2026-11-25T10:00:00.000Z',
  [DeadLetterHeaders.failedAt]: '2026-11-25T10:05:00.000Z',
};

/** The x-death record the broker writes when it dead-letters a message itself (delivery limit). */
const brokerDeath = (queue: string) => ({
  'x-death': [
    {
      count: 20,
      reason: 'delivery_limit',
      queue,
      time: { '!': 'timestamp', value: Date.parse('2026-11-25T09:00:00Z') / 1000 },
      exchange: Exchanges.inventoryCommands,
      'routing-keys': [ReserveStock.type],
      'original-expiration': '30000',
    },
  ],
  'x-first-death-exchange': Exchanges.inventoryCommands,
  'x-first-death-queue': queue,
  'x-first-death-reason': 'delivery_limit',
});

describe('dead letters as an operator reads them', () => {
  it('reads what failed, where, why and when from the parker headers', () => {
    expect(describeDeadLetter(parked(failure), Queues.inventoryCommands)).toEqual({
      type: ReserveStock.type,
      id: 'm-1',
      attempts: 5,
      errorType: 'TypeError',
      errorCode: undefined,
      errorMessage: 'stock table locked',
      retryable: true,
      consumer: 'inventory-service',
      original: { exchange: Exchanges.inventoryCommands, routingKey: ReserveStock.type },
      firstFailedAt: new Date('2026-11-25T10:00:00.000Z'),
      lastFailedAt: new Date('2026-11-25T10:05:00.000Z'),
      brokerReason: undefined,
    });
  });

  it("falls back to the broker's x-death record for a message the broker dead-lettered itself", () => {
    const letter = describeDeadLetter(
      parked(brokerDeath(Queues.inventoryCommands)),
      Queues.inventoryCommands,
    );
    expect(letter.original).toEqual({ exchange: Exchanges.inventoryCommands, routingKey: ReserveStock.type });
    expect(letter.attempts).toBe(20);
    expect(letter.lastFailedAt).toEqual(new Date('2026-11-25T09:00:00Z'));
    expect(letter.brokerReason).toBe('delivery_limit');
  });

  it('keeps the default exchange (empty name) as a replay target', () => {
    const message = parked({
      [DeadLetterHeaders.originalExchange]: '',
      [DeadLetterHeaders.originalRoutingKey]: 'q',
    });
    expect(replayTargetOf(message)).toEqual({ exchange: '', routingKey: 'q' });
  });

  it('has no replay target when neither the parker nor the broker recorded one', () => {
    expect(replayTargetOf(parked({}))).toBeUndefined();
  });

  it('replays with every failure header removed, the envelope kept and the original expiration restored', () => {
    const props = replayPropertiesOf(
      parked(
        {
          ...failure,
          ...brokerDeath(Queues.inventoryCommands),
          [DeadLetterHeaders.originalExpiration]: '60000',
        },
        { userId: 'admin' },
      ),
      Queues.inventoryCommands,
    );
    expect(props.headers).toEqual({
      'cloudEvents:id': 'm-1',
      'cloudEvents:type': ReserveStock.type,
      traceparent: 'tp',
    });
    expect(props).toMatchObject({
      messageId: 'm-1',
      type: ReserveStock.type,
      contentType: 'application/json',
      expiration: '60000',
      deliveryMode: 2,
    });
    expect(props).not.toHaveProperty('userId');
  });

  it('restores the expiration the broker recorded in x-death when the parker did not', () => {
    expect(
      replayPropertiesOf(parked(brokerDeath(Queues.inventoryCommands)), Queues.inventoryCommands).expiration,
    ).toBe('30000');
    expect(replayPropertiesOf(parked(failure))).not.toHaveProperty('expiration');
  });

  it('selects by type and by id; no filter selects everything', () => {
    const message = parked(failure);
    expect(isSelected(message, {})).toBe(true);
    expect(isSelected(message, { types: [ReserveStock.type] })).toBe(true);
    expect(isSelected(message, { types: ['payment.void'] })).toBe(false);
    expect(isSelected(message, { ids: ['m-2', 'm-1'] })).toBe(true);
    expect(isSelected(message, { ids: ['m-2'] })).toBe(false);
    expect(isSelected(message, { types: [ReserveStock.type], ids: ['m-2'] })).toBe(false);
  });

  it('shows a JSON body indented, text as text, and binary as base64', () => {
    expect(readableBody({ content: Buffer.from('{"a":1}') })).toBe('{\n  "a": 1\n}');
    expect(readableBody({ content: Buffer.from('not json') })).toBe('not json');
    expect(readableBody({ content: Buffer.from([0xff, 0x00]) })).toBe('(binary, 2 bytes, base64) /wA=');
  });

  it('prints a dead letter with its reason, times and other headers', () => {
    const lines = formatDeadLetter(
      parked(failure),
      1,
      Queues.inventoryCommands,
      new Date('2026-11-25T10:15:00.000Z'),
    );
    expect(lines).toEqual(
      expect.arrayContaining([
        `#1  ${ReserveStock.type}  id m-1`,
        '  attempts:       5',
        '  error:          TypeError: stock table locked (retryable)',
        `  original:       exchange "${Exchanges.inventoryCommands}", routing key "${ReserveStock.type}"`,
        '  first failure:  2026-11-25T10:00:00.000Z (15m 0s ago)',
        '  last failure:   2026-11-25T10:05:00.000Z (10m 0s ago)',
        '  consumer:       inventory-service',
        '    traceparent: tp',
        '      "orderId": "o-1",',
      ]),
    );
  });

  it('formats ages to the precision an operator needs', () => {
    expect(formatAge(45_000)).toBe('45s');
    expect(formatAge(125_000)).toBe('2m 5s');
    expect(formatAge(3 * 3_600_000 + 20 * 60_000)).toBe('3h 20m');
    expect(formatAge(2 * 86_400_000 + 4 * 3_600_000)).toBe('2d 4h');
  });
});

describe('dead-letter queues of the topology', () => {
  it('has one per work queue of the topology', () => {
    expect(deadLetterQueuesOf().map((queue) => queue.workQueue)).toEqual(
      Topology.queues.map((queue) => queue.name),
    );
  });

  it('accepts the work queue or the DLQ name, and refuses anything else naming the valid ones', () => {
    const dlq = deadLetterQueueOf(Queues.paymentCommands);
    expect(resolveDeadLetterQueue(Queues.paymentCommands).name).toBe(dlq);
    expect(resolveDeadLetterQueue(dlq).workQueue).toBe(Queues.paymentCommands);
    expect(() => resolveDeadLetterQueue('nope')).toThrow(UsageError);
    expect(() => resolveDeadLetterQueue('nope')).toThrow(Queues.paymentCommands);
  });
});
