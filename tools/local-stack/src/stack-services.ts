import { Services } from '@orderly/contracts';

/**
 * The four services of the system: their app folder (= name), the folder of their Prisma schema under
 * `prisma/`, and the port the demo prefers (so the URLs in the docs work on a quiet machine).
 */
export const StackServices = [
  { name: Services.order, schema: 'order', port: 3001 },
  { name: Services.inventory, schema: 'inventory', port: 3002 },
  { name: Services.payment, schema: 'payment', port: 3003 },
  { name: Services.notification, schema: 'notification', port: 3004 },
] as const;

export type StackService = (typeof StackServices)[number];
/** `order`, `inventory`, `payment`, `notification`: the key of a service's database. */
export type StackSchema = StackService['schema'];
