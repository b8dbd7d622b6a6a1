import { dueAtMs, dueCount, openLoopSchedule } from './schedule';

describe('open-loop schedule', () => {
  it('plans rate × duration orders, evenly spaced from time 0', () => {
    const schedule = openLoopSchedule(200, 3_000);
    expect(schedule.count).toBe(600);
    expect(dueAtMs(schedule, 0)).toBe(0);
    expect(dueAtMs(schedule, 1)).toBe(5);
    expect(dueAtMs(schedule, 599)).toBe(2_995);
  });

  it('counts the orders due at a moment, never more than planned', () => {
    const schedule = openLoopSchedule(100, 1_000);
    expect(dueCount(schedule, -1)).toBe(0);
    expect(dueCount(schedule, 0)).toBe(1);
    expect(dueCount(schedule, 9.9)).toBe(1);
    expect(dueCount(schedule, 10)).toBe(2);
    expect(dueCount(schedule, 995)).toBe(100);
    expect(dueCount(schedule, 60_000)).toBe(100);
  });

  it('plans at least one order and refuses a rate or duration that is not positive', () => {
    expect(openLoopSchedule(0.5, 1_000).count).toBe(1);
    expect(() => openLoopSchedule(0, 1_000)).toThrow('rate must be > 0');
    expect(() => openLoopSchedule(10, Number.NaN)).toThrow('duration must be > 0');
  });
});
