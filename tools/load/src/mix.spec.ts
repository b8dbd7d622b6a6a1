import { formatMix, MixPicker, parseMix } from './mix';

describe('parseMix', () => {
  it('reads path=weight pairs in order, dropping zero weights', () => {
    expect(parseMix('success=80, out-of-stock=5,declined=10,cancel=5,silent=0')).toEqual([
      { path: 'success', weight: 80 },
      { path: 'out-of-stock', weight: 5 },
      { path: 'declined', weight: 10 },
      { path: 'cancel', weight: 5 },
    ]);
    expect(formatMix(parseMix('success=1.5,declined=2'))).toBe('success=1.5,declined=2');
  });

  it.each([
    ['success', '"success" is not <path>=<weight>'],
    ['success=-1', '"success=-1" is not <path>=<weight>'],
    ['refund=3', 'unknown path "refund"'],
    ['success=1,success=2', '"success" given twice'],
    ['success=0', 'at least one path'],
    ['', 'at least one path'],
  ])('refuses %j naming the problem', (text, message) => {
    expect(() => parseMix(text)).toThrow(message);
  });
});

describe('MixPicker', () => {
  it('gives every path exactly its weight in each window of sum(weights) orders', () => {
    const picker = new MixPicker(parseMix('success=80,out-of-stock=5,declined=10,cancel=5'));
    for (let window = 0; window < 3; window++) {
      const counts: Record<string, number> = {};
      for (let i = 0; i < 100; i++) {
        const path = picker.next();
        counts[path] = (counts[path] ?? 0) + 1;
      }
      expect(counts).toEqual({ success: 80, 'out-of-stock': 5, declined: 10, cancel: 5 });
    }
  });

  it('spreads a small path out instead of sending it in a block', () => {
    const picker = new MixPicker(parseMix('success=3,declined=1'));
    expect(Array.from({ length: 8 }, () => picker.next()).join(' ')).toBe(
      'success success declined success success success declined success',
    );
  });
});
