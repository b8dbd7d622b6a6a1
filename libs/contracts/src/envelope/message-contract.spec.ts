import { z } from 'zod';
import { defineCommand, defineEvent } from './message-contract';

const ThingHappened = defineEvent({
  type: 'test.thing-happened',
  version: 1,
  exchange: 'test.events',
  schema: z.object({ thingId: z.uuid(), count: z.number().int().min(0) }),
});

describe('message contracts', () => {
  it('creates a message with a fresh id, a time, and the correlation id defaulting to its own id', () => {
    const thingId = '8d6c2c9e-4b7e-4a53-9d1a-9b0c3c8b6a11';
    const message = ThingHappened.create({ thingId, count: 2 }, { source: '/orderly/test', subject: thingId });
    expect(message).toMatchObject({ type: 'test.thing-happened', version: 1, source: '/orderly/test', subject: thingId });
    expect(message.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(message.correlationId).toBe(message.id);
    expect(message.time).toBeInstanceOf(Date);
    expect(message.data).toEqual({ thingId, count: 2 });
  });

  it('refuses to create a message whose body breaks the schema', () => {
    expect(() => ThingHappened.create({ thingId: 'not-a-uuid', count: -1 }, { source: '/orderly/test' })).toThrow(
      /thingId|count/,
    );
  });

  it('refuses a type that does not read <context>.<kebab-name>', () => {
    expect(() => defineCommand({ type: 'DoThing', version: 1, exchange: 'x', schema: z.object({}) })).toThrow(
      /<context>\.<kebab-name>/,
    );
  });
});
