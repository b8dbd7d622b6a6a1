import { DatabaseClock } from './database-clock';

describe('DatabaseClock', () => {
  it('translates local times by the offset of the sample with the shortest round trip', () => {
    const clock = new DatabaseClock();
    clock.record(1_000, 1_010, 6_005); // offset 5,000 ± 5
    clock.record(2_000, 2_100, 7_000); // a slow sample (offset 4,950 ± 50) does not replace it
    expect(clock.toDatabaseTime(3_000)).toBe(8_000);
    clock.record(3_000, 3_002, 8_101); // a faster one does
    expect(clock.toDatabaseTime(3_000)).toBe(8_100);
  });

  it('assumes the same clock before the first sample', () => {
    expect(new DatabaseClock().toDatabaseTime(1_234)).toBe(1_234);
  });
});
