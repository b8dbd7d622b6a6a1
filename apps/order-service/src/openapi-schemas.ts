import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { z } from 'zod';
import { PlaceOrderRequest } from './orders/place-order.request';

/** JSON Schema of a zod schema, as OpenAPI 3.1 takes it (without the draft marker). */
function schemaOf(schema: z.ZodType): SchemaObject {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete json['$schema'];
  return json as SchemaObject;
}

const TimelineEntry = z.object({
  at: z.iso.datetime(),
  step: z.string(),
  attempt: z.number().int(),
  messageType: z.string(),
  messageId: z.string(),
  direction: z.enum(['sent', 'received']),
  outcome: z.string(),
  traceId: z.string().optional(),
});

const Saga = z.object({
  id: z.uuid(),
  type: z.string(),
  status: z.enum(['RUNNING', 'COMPENSATING', 'COMPLETED', 'COMPENSATED', 'FAILED']),
  step: z.string(),
  attempt: z.number().int(),
  reason: z.string().optional(),
  startedAt: z.iso.datetime(),
  endedAt: z.iso.datetime().optional(),
  deadlineAt: z.iso.datetime().optional(),
  timeline: z.array(TimelineEntry),
});

const Order = z.object({
  id: z.uuid(),
  customerId: z.string(),
  status: z.enum(['PENDING', 'CONFIRMED', 'REJECTED', 'CANCELLED']),
  totalMinor: z.number().int(),
  currency: z.string(),
  lines: z.array(z.object({ sku: z.string(), quantity: z.number().int(), unitPriceMinor: z.number().int() })),
  reason: z.string().optional(),
  createdAt: z.iso.datetime(),
  saga: Saga.optional(),
});

const ValidationError = z.object({
  message: z.string(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })),
});

/** The schemas of the HTTP API, from the same zod schemas that validate requests (where there is one). */
export const ApiSchemas = {
  PlaceOrderRequest: schemaOf(PlaceOrderRequest),
  Order: schemaOf(Order),
  Saga: schemaOf(Saga),
  ValidationError: schemaOf(ValidationError),
};
