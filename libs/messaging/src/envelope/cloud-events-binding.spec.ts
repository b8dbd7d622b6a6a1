import { defineCommand, type MessageContract } from '@orderly/contracts';
import type { MessageProperties } from 'amqplib';
import { z } from 'zod';
import { InvalidMessageError } from '../errors/non-retryable-message.error';
import { CloudEventsHeaders, decodeMessage, encodeMessage } from './cloud-events-binding';

const ShipParcel = defineCommand({
  type: 'test.ship-parcel',
  version: 2,
  exchange: 'test.commands',
  schema: z.object({ parcelId: z.uuid(), weightGrams: z.number().int().min(1) }),
});
const contracts: ReadonlyMap<string, MessageContract> = new Map([[ShipParcel.type, ShipParcel]]);
const parcelId = '2f1c5a7e-8d2b-4c1a-9e3f-5b6a7c8d9e0f';

function delivery(content: Buffer, properties: Partial<MessageProperties>) {
  return { content, properties: properties as MessageProperties };
}

function encoded() {
  const message = ShipParcel.create(
    { parcelId, weightGrams: 1200 },
    { source: '/orderly/test', subject: parcelId, causationId: 'cause-1', correlationId: 'order-7' },
  );
  message.traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
  return { message, ...encodeMessage(message) };
}

describe('CloudEvents binary binding', () => {
  it('round-trips every attribute through AMQP properties and headers, with the body as plain JSON data', () => {
    const { message, content, options } = encoded();
    expect(JSON.parse(content.toString())).toEqual({ parcelId, weightGrams: 1200 });
    expect(options).toMatchObject({ messageId: message.id, type: ShipParcel.type, persistent: true, correlationId: 'order-7' });

    const decoded = decodeMessage(delivery(content, options as MessageProperties), contracts);
    expect(decoded).toEqual({ ...message, tracestate: undefined });
  });

  it('names every missing required attribute', () => {
    const { content, options } = encoded();
    const headers = { ...options.headers };
    delete headers[CloudEventsHeaders.source];
    delete headers[CloudEventsHeaders.time];
    const error = catchError(() => decodeMessage(delivery(content, { ...options, headers } as MessageProperties), contracts));
    expect(error).toBeInstanceOf(InvalidMessageError);
    expect(error.message).toBe('missing required attributes: cloudEvents:source, cloudEvents:time');
  });

  it('refuses an unknown type, a body that is not JSON, and data that breaks the schema', () => {
    const { content, options } = encoded();
    const withType = { ...options, headers: { ...options.headers, [CloudEventsHeaders.type]: 'test.unheard-of' } };
    expect(() => decodeMessage(delivery(content, withType as MessageProperties), contracts)).toThrow(
      'unknown message type "test.unheard-of"',
    );
    expect(() => decodeMessage(delivery(Buffer.from('{not json'), options as MessageProperties), contracts)).toThrow(
      'body of test.ship-parcel is not valid JSON',
    );
    const broken = Buffer.from(JSON.stringify({ parcelId: 'nope', weightGrams: 0 }));
    expect(() => decodeMessage(delivery(broken, options as MessageProperties), contracts)).toThrow(
      /breaks its schema: parcelId: .*; weightGrams: /,
    );
  });

  it('refuses another CloudEvents spec version or content type', () => {
    const { content, options } = encoded();
    const v03 = { ...options, headers: { ...options.headers, [CloudEventsHeaders.specversion]: '0.3' } };
    expect(() => decodeMessage(delivery(content, v03 as MessageProperties), contracts)).toThrow('specversion 0.3');
    const xml = { ...options, contentType: 'application/xml' };
    expect(() => decodeMessage(delivery(content, xml as MessageProperties), contracts)).toThrow('content type "application/xml"');
  });
});

function catchError(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}
