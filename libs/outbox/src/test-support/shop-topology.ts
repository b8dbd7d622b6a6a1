import { defineCommand, defineEvent, type MessageOf, QueueDefaults, type TopologyDeclaration } from '@orderly/contracts';
import { z } from 'zod';

/**
 * A made-up service for the outbox's integration tests: `shop-service` publishes parcel events to its
 * topic exchange (one queue bound) and a command to its direct exchange, to which no queue is bound
 * unless a test binds one (a mandatory publish of it is returned by the broker).
 */
export const ShopService = 'shop-service';
export const ShopExchanges = { events: 'shop.events', commands: 'shop.commands' } as const;
export const ShopQueues = { events: 'shop-service.parcel-events', commands: 'shop-service.commands' } as const;

const ParcelBody = z.object({ parcelId: z.string().min(1), seq: z.number().int().min(0) });

export const ParcelMoved = defineEvent({ type: 'shop.parcel-moved', version: 1, exchange: ShopExchanges.events, schema: ParcelBody });
export type ParcelMoved = MessageOf<typeof ParcelMoved>;
export const PackParcel = defineCommand({ type: 'shop.pack-parcel', version: 1, exchange: ShopExchanges.commands, schema: ParcelBody });
/** Published to an exchange nobody declared: the broker closes the publishing channel (404). */
export const LoseParcel = defineEvent({ type: 'shop.parcel-lost', version: 1, exchange: 'shop.nowhere', schema: ParcelBody });

export const ShopTopology: TopologyDeclaration = {
  vhost: 'unused-by-tests',
  exchanges: [
    { name: ShopExchanges.events, type: 'topic', owner: ShopService },
    { name: ShopExchanges.commands, type: 'direct', owner: ShopService },
  ],
  queues: [
    {
      name: ShopQueues.events,
      owner: ShopService,
      ...QueueDefaults,
      // A short retry ladder (3 handlings, 100 and 200 ms apart): a failing handler's message reaches the DLQ in well under a second.
      retry: { delaysMs: [100, 200], maxAttempts: 3 },
      bindings: [{ exchange: ShopExchanges.events, messages: [ParcelMoved] }],
    },
  ],
  services: [{ name: ShopService, publishesTo: [ShopExchanges.events, ShopExchanges.commands] }],
  policies: [],
};

export const source = { source: '/orderly/shop-service' };

/** A parcel event about aggregate `parcelId`, numbered `seq` within it. */
export const parcelMoved = (parcelId: string, seq: number): ParcelMoved =>
  ParcelMoved.create({ parcelId, seq }, { ...source, subject: parcelId });
