import { mergeLines } from './stock-ledger';

describe('mergeLines', () => {
  it('keeps one line per SKU, adding the quantities of a SKU named twice, in SKU order', () => {
    expect(
      mergeLines([
        { sku: 'PEN-BLUE', quantity: 2 },
        { sku: 'BOOK-DDD', quantity: 1 },
        { sku: 'PEN-BLUE', quantity: 3 },
      ]),
    ).toEqual([
      { sku: 'BOOK-DDD', quantity: 1 },
      { sku: 'PEN-BLUE', quantity: 5 },
    ]);
  });
});
