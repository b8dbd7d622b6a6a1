import { lastSentMessage, type SentMessage } from '@orderly/testing';
import { Pool } from 'pg';

// The rows the fault suite's invariants are computed from, read in bulk from each service's own
// database with plain SQL (the tables of prisma/<service>/schema.prisma), as an operator would.

export interface OrderLedgerRow {
  id: string;
  status: string;
  totalMinor: number;
  sagaStatus: string | null;
  startedAt: Date;
  endedAt: Date | null;
}
export interface ProductLedgerRow {
  sku: string;
  available: number;
  reserved: number;
  sold: number;
}
export interface ReservationLedgerRow {
  orderId: string;
  status: string;
}
export interface PaymentLedgerRow {
  orderId: string;
  status: string;
  amountMinor: number | null;
  captureId: string | null;
}
export interface NotificationLedgerRow {
  orderId: string;
  template: string;
}
/** A committed outbox row not yet confirmed by the broker, per service. */
export interface UnsentOutbox {
  service: string;
  unsent: number;
}

export type ServiceKey = 'order' | 'inventory' | 'payment' | 'notification';

export class FaultDatabases {
  private readonly pools: Record<ServiceKey, Pool>;

  constructor(urls: Record<ServiceKey, string>) {
    // Small pools that give up quickly: during a PostgreSQL restart a query fails instead of hanging,
    // and the poller asks again.
    const pool = (connectionString: string) =>
      new Pool({ connectionString, max: 2, connectionTimeoutMillis: 5_000, idleTimeoutMillis: 1_000 });
    this.pools = {
      order: pool(urls.order),
      inventory: pool(urls.inventory),
      payment: pool(urls.payment),
      notification: pool(urls.notification),
    };
    // An idle client whose server went away emits 'error' on the pool; the next query reconnects.
    for (const p of Object.values(this.pools)) p.on('error', () => undefined);
  }

  /** Sagas that ended (any terminal status) in [from, to): whether the system kept working during a fault. */
  async sagasEndedBetween(from: number, to: number): Promise<number> {
    const { rows } = await this.pools.order.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM saga_instance WHERE ended_at >= $1 AND ended_at < $2`,
      [new Date(from), new Date(to)],
    );
    return rows[0]?.n ?? 0;
  }

  /** Orders among `ids` whose saga is not terminal yet (COMPLETED, COMPENSATED or FAILED). */
  async unsettled(ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.pools.order.query<{ id: string }>(
      `SELECT o.id FROM "order" o LEFT JOIN saga_instance s ON s.id = o.id
        WHERE o.id = ANY($1::uuid[])
          AND (o.status = 'PENDING' OR s.status IS NULL OR s.status NOT IN ('COMPLETED', 'COMPENSATED', 'FAILED'))
       UNION
       SELECT id::uuid FROM unnest($1::uuid[]) AS wanted(id)
        WHERE NOT EXISTS (SELECT 1 FROM "order" o WHERE o.id = wanted.id)`,
      [ids],
    );
    return rows.map((row) => row.id);
  }

  async orders(customerPrefix: string): Promise<OrderLedgerRow[]> {
    const { rows } = await this.pools.order.query<OrderLedgerRow>(
      `SELECT o.id, o.status::text AS status, o.total_minor AS "totalMinor", s.status::text AS "sagaStatus",
              s.started_at AS "startedAt", s.ended_at AS "endedAt"
         FROM "order" o LEFT JOIN saga_instance s ON s.id = o.id
        WHERE o.customer_id LIKE $1 OR o.customer_id LIKE $2`,
      [`${customerPrefix}-%`, `declined-${customerPrefix}-%`],
    );
    return rows;
  }

  async products(skus: readonly string[]): Promise<ProductLedgerRow[]> {
    const { rows } = await this.pools.inventory.query<ProductLedgerRow>(
      'SELECT sku, available, reserved, sold FROM product WHERE sku = ANY($1) ORDER BY sku',
      [skus],
    );
    return rows;
  }

  async reservations(orderIds: readonly string[]): Promise<ReservationLedgerRow[]> {
    const { rows } = await this.pools.inventory.query<ReservationLedgerRow>(
      `SELECT order_id AS "orderId", status::text AS status FROM reservation WHERE order_id = ANY($1::uuid[])`,
      [orderIds],
    );
    return rows;
  }

  async payments(orderIds: readonly string[]): Promise<PaymentLedgerRow[]> {
    const { rows } = await this.pools.payment.query<PaymentLedgerRow>(
      `SELECT order_id AS "orderId", status::text AS status, amount_minor AS "amountMinor", capture_id AS "captureId"
         FROM payment WHERE order_id = ANY($1::uuid[])`,
      [orderIds],
    );
    return rows;
  }

  async notifications(orderIds: readonly string[]): Promise<NotificationLedgerRow[]> {
    const { rows } = await this.pools.notification.query<NotificationLedgerRow>(
      `SELECT order_id AS "orderId", template FROM notification WHERE order_id = ANY($1::uuid[])`,
      [orderIds],
    );
    return rows;
  }

  /**
   * Saga commands sent again after a missed deadline (attempt > 1): each is a duplicate a participant's
   * inbox (or its idempotent handler) had to absorb.
   */
  async resentCommands(orderIds: readonly string[]): Promise<number> {
    const { rows } = await this.pools.order.query<{ resent: number }>(
      `SELECT count(*)::int AS resent FROM saga_transition
        WHERE saga_id = ANY($1::uuid[]) AND direction = 'sent' AND attempt > 1`,
      [orderIds],
    );
    return rows[0]?.resent ?? 0;
  }

  /** Committed outbox rows the broker has not confirmed yet, per service. */
  async unsentOutbox(): Promise<UnsentOutbox[]> {
    return Promise.all(
      (Object.keys(this.pools) as ServiceKey[]).map(async (service) => {
        const { rows } = await this.pools[service].query<{ unsent: number }>(
          'SELECT count(*)::int AS unsent FROM outbox WHERE sent_at IS NULL',
        );
        return { service, unsent: rows[0]?.unsent ?? 0 };
      }),
    );
  }

  /**
   * The latest message of `type` that `service`'s relay published, as its outbox row stores it: what a
   * duplicate delivery re-publishes byte for byte.
   */
  lastSent(service: ServiceKey, type: string): Promise<SentMessage | undefined> {
    return lastSentMessage(this.pools[service], type);
  }

  async close(): Promise<void> {
    await Promise.all(Object.values(this.pools).map((pool) => pool.end()));
  }
}
