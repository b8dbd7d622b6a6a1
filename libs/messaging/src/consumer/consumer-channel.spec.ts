import { EventEmitter } from 'node:events';
import { Logger } from '@nestjs/common';
import type { Channel, ConsumeMessage } from 'amqplib';
import { ConsumerChannel } from './consumer-channel';

/** The part of an amqplib channel ConsumerChannel uses, recording what would go to the broker. */
class FakeChannel extends EventEmitter {
  readonly sent: string[] = [];
  closed = false;
  ack(message: ConsumeMessage) {
    if (this.closed) throw new Error('Channel closed');
    this.sent.push(`ack ${message.fields.deliveryTag}`);
  }
  nack(message: ConsumeMessage, _allUpTo: boolean, requeue: boolean) {
    if (this.closed) throw new Error('Channel closed');
    this.sent.push(`nack ${message.fields.deliveryTag} requeue=${requeue}`);
  }
  async close() {
    this.closed = true;
    this.emit('close');
  }
}

const delivery = (tag: number) => ({ fields: { deliveryTag: tag }, properties: { messageId: `m-${tag}` } }) as unknown as ConsumeMessage;
const quiet = new Logger('test');
quiet.warn = () => undefined;
quiet.error = () => undefined;

describe('ConsumerChannel', () => {
  it('settles a delivery once: a second ack or reject is refused and sends nothing', () => {
    const raw = new FakeChannel();
    const channel = new ConsumerChannel(raw as unknown as Channel, 'q', quiet);
    expect(channel.ack(delivery(1))).toBe(true);
    expect(channel.ack(delivery(1))).toBe(false);
    expect(channel.reject(delivery(1))).toBe(false);
    expect(channel.reject(delivery(2))).toBe(true);
    expect(raw.sent).toEqual(['ack 1', 'nack 2 requeue=false']);
  });

  it('sends nothing once its channel closed: the broker has requeued those deliveries already', async () => {
    const raw = new FakeChannel();
    const channel = new ConsumerChannel(raw as unknown as Channel, 'q', quiet);
    raw.emit('close'); // the connection died under it
    expect(channel.isOpen).toBe(false);
    expect(channel.ack(delivery(1))).toBe(false);
    expect(channel.reject(delivery(2))).toBe(false);
    expect(raw.sent).toEqual([]);
  });

  it('counts handlers in flight and tells when they are all done, or that the deadline passed', async () => {
    const channel = new ConsumerChannel(new FakeChannel() as unknown as Channel, 'q', quiet);
    let finish!: () => void;
    channel.track(delivery(1), () => new Promise<void>((resolve) => (finish = resolve)));
    channel.track(delivery(2), async () => {
      throw new Error('reported, never rethrown');
    });
    await new Promise((resolve) => setImmediate(resolve)); // the failed one has settled
    expect(channel.inFlight).toBe(1);
    expect(await channel.whenIdle(10)).toBe(false);
    const idle = channel.whenIdle();
    finish();
    expect(await idle).toBe(true);
    expect(channel.inFlight).toBe(0);
  });
});
