import { isExpectedOutcome, orderRequest, SeedCatalog } from './order-requests';

describe('order requests per path', () => {
  it('picks the customer id or SKU the services decide by', () => {
    expect(orderRequest('success', 7, 'r1', SeedCatalog)).toEqual({
      customerId: 'load-r1-7',
      currency: 'EUR',
      lines: [{ sku: 'PEN-BLUE', quantity: 1, unitPriceMinor: 150 }],
    });
    expect(orderRequest('declined', 7, 'r1', SeedCatalog).customerId).toBe('declined-load-r1-7');
    expect(orderRequest('silent', 7, 'r1', SeedCatalog).customerId).toBe('silent-load-r1-7');
    expect(orderRequest('out-of-stock', 7, 'r1', SeedCatalog).lines).toEqual([
      { sku: 'POSTER-GONE', quantity: 1, unitPriceMinor: 100 },
    ]);
  });

  it('expects each path to end in its own state; a late cancel may end confirmed', () => {
    expect(isExpectedOutcome('success', 'CONFIRMED')).toBe(true);
    expect(isExpectedOutcome('success', 'REJECTED')).toBe(false);
    expect(isExpectedOutcome('declined', 'REJECTED')).toBe(true);
    expect(isExpectedOutcome('out-of-stock', 'CONFIRMED')).toBe(false);
    expect(isExpectedOutcome('cancel', 'CANCELLED', 202)).toBe(true);
    expect(isExpectedOutcome('cancel', 'CONFIRMED', 409)).toBe(true);
    expect(isExpectedOutcome('cancel', 'CONFIRMED', 202)).toBe(false);
    expect(isExpectedOutcome('silent', 'FAILED')).toBe(false);
  });
});
