import { PublishSlots } from './publish-slots';

describe('PublishSlots', () => {
  it('grants up to its capacity at once', async () => {
    const slots = new PublishSlots(2);
    expect(await slots.acquire(0)).toBe(true);
    expect(await slots.acquire(0)).toBe(true);
    expect(slots.used).toBe(2);
  });

  it('makes the next caller wait, and hands over a released slot to it', async () => {
    const slots = new PublishSlots(1);
    await slots.acquire(0);
    const waiting = slots.acquire(1_000);
    slots.release();
    expect(await waiting).toBe(true);
    expect(slots.used).toBe(1);
  });

  it('answers false when no slot frees up in time, and forgets the waiter', async () => {
    const slots = new PublishSlots(1);
    await slots.acquire(0);
    expect(await slots.acquire(10)).toBe(false);
    slots.release();
    expect(slots.used).toBe(0);
  });
});
