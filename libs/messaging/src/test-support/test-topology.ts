import {
  defineCommand,
  defineEvent,
  type MessageOf,
  QueueDefaults,
  type RetryDeclaration,
  type TopologyDeclaration,
} from '@orderly/contracts';
import { z } from 'zod';

/**
 * A small topology of three made-up services for the transport's integration tests: one event that
 * fans out to three queues, two commands with one queue, and a command no queue is bound to.
 */
export const TestExchanges = { events: 'test.events', commands: 'test.commands' } as const;
export const TestServices = { shipping: 'shipping-service', billing: 'billing-service', audit: 'audit-service' } as const;
export const TestQueues = {
  shippingCommands: 'shipping-service.commands',
  shippingEvents: 'shipping-service.events',
  billingEvents: 'billing-service.events',
  auditEvents: 'audit-service.events',
} as const;

const ParcelBody = z.object({ parcelId: z.string().min(1), seq: z.number().int().min(0) });

export const ParcelShipped = defineEvent({ type: 'test.parcel-shipped', version: 1, exchange: TestExchanges.events, schema: ParcelBody });
export type ParcelShipped = MessageOf<typeof ParcelShipped>;
export const ShipParcel = defineCommand({ type: 'test.ship-parcel', version: 1, exchange: TestExchanges.commands, schema: ParcelBody });
export type ShipParcel = MessageOf<typeof ShipParcel>;
export const WeighParcel = defineCommand({ type: 'test.weigh-parcel', version: 1, exchange: TestExchanges.commands, schema: ParcelBody });
/** Declared, but bound to no queue: a mandatory publish of it is returned by the broker. */
export const LoseParcel = defineCommand({ type: 'test.lose-parcel', version: 1, exchange: TestExchanges.commands, schema: ParcelBody });

/** A short ladder, so that a test sees a whole one in well under a second: 3 handlings, 100 ms then 200 ms apart. */
export const TestRetry: RetryDeclaration = { delaysMs: [100, 200], maxAttempts: 3 };

export const TestTopology: TopologyDeclaration = {
  vhost: 'unused-by-tests',
  exchanges: [
    { name: TestExchanges.events, type: 'topic', owner: TestServices.shipping },
    { name: TestExchanges.commands, type: 'direct', owner: TestServices.shipping },
  ],
  queues: [
    {
      name: TestQueues.shippingCommands,
      owner: TestServices.shipping,
      ...QueueDefaults,
      retry: TestRetry,
      bindings: [{ exchange: TestExchanges.commands, messages: [ShipParcel, WeighParcel] }],
    },
    {
      name: TestQueues.shippingEvents,
      owner: TestServices.shipping,
      ...QueueDefaults,
      retry: TestRetry,
      bindings: [{ exchange: TestExchanges.events, messages: [ParcelShipped] }],
    },
    {
      name: TestQueues.billingEvents,
      owner: TestServices.billing,
      ...QueueDefaults,
      retry: TestRetry,
      bindings: [{ exchange: TestExchanges.events, messages: [ParcelShipped] }],
    },
    {
      name: TestQueues.auditEvents,
      owner: TestServices.audit,
      ...QueueDefaults,
      retry: TestRetry,
      bindings: [{ exchange: TestExchanges.events, messages: [ParcelShipped] }],
    },
  ],
  services: [
    { name: TestServices.shipping, publishesTo: [TestExchanges.events, TestExchanges.commands] },
    { name: TestServices.billing, publishesTo: [] },
    { name: TestServices.audit, publishesTo: [] },
  ],
  policies: [],
};

export const parcel = (seq: number) => ({ parcelId: `parcel-${seq}`, seq });
export const source = { source: '/orderly/test' };
