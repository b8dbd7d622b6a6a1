import { z } from 'zod';

/** Largest total an order may have: it is stored as a 32-bit integer of minor units. */
export const MAX_TOTAL_MINOR = 2_147_483_647;

export const PlaceOrderLine = z.object({
  sku: z.string().min(1).max(64),
  // The inventory contract takes at most 1000 units per line.
  quantity: z.number().int().min(1).max(1000),
  unitPriceMinor: z.number().int().min(0).max(MAX_TOTAL_MINOR),
});

export const PlaceOrderRequest = z
  .object({
    customerId: z.string().min(1).max(64),
    currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR'),
    lines: z.array(PlaceOrderLine).min(1).max(50),
  })
  .superRefine((order, ctx) => {
    const prices = new Map<string, number>();
    const quantities = new Map<string, number>();
    order.lines.forEach((line, i) => {
      const quantity = (quantities.get(line.sku) ?? 0) + line.quantity;
      quantities.set(line.sku, quantity);
      if (quantity > 1000)
        ctx.addIssue({
          code: 'custom',
          path: ['lines', i, 'quantity'],
          message: `more than 1000 units of ${line.sku} in all`,
        });
      const price = prices.get(line.sku);
      if (price !== undefined && price !== line.unitPriceMinor) {
        ctx.addIssue({
          code: 'custom',
          path: ['lines', i, 'unitPriceMinor'],
          message: `differs from an earlier line of ${line.sku}`,
        });
      }
      prices.set(line.sku, line.unitPriceMinor);
    });
    const total = order.lines.reduce((sum, l) => sum + l.quantity * l.unitPriceMinor, 0);
    if (total > MAX_TOTAL_MINOR)
      ctx.addIssue({
        code: 'custom',
        path: ['lines'],
        message: `total exceeds ${MAX_TOTAL_MINOR} minor units`,
      });
  });
export type PlaceOrderRequest = z.infer<typeof PlaceOrderRequest>;

export const IdempotencyKey = z.string().min(1).max(128);
export const OrderIdParam = z.uuid({ error: 'must be a UUID' });

/** Repeated SKUs are merged into one line (the order_line key is order + sku); same price is checked above. */
export function mergeLines(lines: PlaceOrderRequest['lines']): PlaceOrderRequest['lines'] {
  const merged = new Map<string, PlaceOrderRequest['lines'][number]>();
  for (const line of lines) {
    const seen = merged.get(line.sku);
    merged.set(line.sku, seen ? { ...seen, quantity: seen.quantity + line.quantity } : { ...line });
  }
  return [...merged.values()];
}
