import { WakeSignal } from './wake-signal';

describe('WakeSignal', () => {
  it('wakes one waiting worker per notification', async () => {
    const signal = new WakeSignal();
    const woken: number[] = [];
    const first = signal.wait(60_000).then(() => woken.push(1));
    const second = signal.wait(60_000).then(() => woken.push(2));
    signal.notify();
    await first;
    expect(woken).toEqual([1]);
    expect(signal.waiters).toBe(1);
    signal.notify();
    await second;
    expect(woken).toEqual([1, 2]);
  });

  it('keeps a notification that found nobody waiting for the next wait', async () => {
    const signal = new WakeSignal();
    signal.notify();
    await signal.wait(60_000); // resolves at once, or the test times out
    expect(signal.waiters).toBe(0);
  });

  it('wakes everybody on notifyAll, and times out without notifications', async () => {
    jest.useFakeTimers();
    try {
      const signal = new WakeSignal();
      const timedOut = signal.wait(100);
      jest.advanceTimersByTime(100);
      await timedOut;
      const all = Promise.all([signal.wait(60_000), signal.wait(60_000)]);
      signal.notifyAll();
      await all;
      expect(signal.waiters).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });
});
