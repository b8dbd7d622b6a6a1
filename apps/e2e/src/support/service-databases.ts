import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';

// Each service's own database, read the way an operator would: plain SQL on the tables the services'
// Prisma schemas map to (prisma/<service>/schema.prisma). Writes are limited to test fixtures.

export interface ProductRow {
  sku: string;
  available: number;
  reserved: number;
  sold: number;
}
export interface ReservationRow {
  status: 'HELD' | 'RELEASED' | 'COMMITTED' | 'REFUSED' | 'CANCELLED';
  lines: Array<{ sku: string; quantity: number }>;
}
export interface PaymentRow {
  status: 'AUTHORISED' | 'DECLINED' | 'VOIDED' | 'CAPTURED' | 'CANCELLED';
  amountMinor: number | null;
  currency: string | null;
}
export interface NotificationRow {
  template: string;
  customerId: string;
}

export class ServiceDatabases {
  private readonly pools: { order: Pool; inventory: Pool; payment: Pool; notification: Pool };

  constructor(urls: { order: string; inventory: string; payment: string; notification: string }) {
    this.pools = {
      order: new Pool({ connectionString: urls.order, max: 2 }),
      inventory: new Pool({ connectionString: urls.inventory, max: 2 }),
      payment: new Pool({ connectionString: urls.payment, max: 2 }),
      notification: new Pool({ connectionString: urls.notification, max: 2 }),
    };
  }

  /** A product of its own for one test, so tests never compete for stock unless they mean to. */
  async addProduct(stock: number, priceMinor = 1_250): Promise<{ sku: string; priceMinor: number }> {
    const sku = `E2E-${randomBytes(4).toString('hex').toUpperCase()}`;
    await this.pools.inventory.query(
      `INSERT INTO product (sku, name, price_minor, currency, available, reserved, sold, updated_at)
       VALUES ($1, $2, $3, 'EUR', $4, 0, 0, now())`,
      [sku, `end-to-end test product ${sku}`, priceMinor, stock],
    );
    return { sku, priceMinor };
  }

  async orderStatus(orderId: string): Promise<string | undefined> {
    const { rows } = await this.pools.order.query<{ status: string }>(
      'SELECT status::text AS status FROM "order" WHERE id = $1',
      [orderId],
    );
    return rows[0]?.status;
  }

  async product(sku: string): Promise<ProductRow | undefined> {
    const { rows } = await this.pools.inventory.query<ProductRow>(
      'SELECT sku, available, reserved, sold FROM product WHERE sku = $1',
      [sku],
    );
    return rows[0];
  }

  async reservation(orderId: string): Promise<ReservationRow | undefined> {
    const { rows } = await this.pools.inventory.query<{
      status: ReservationRow['status'];
      sku: string;
      quantity: number;
    }>(
      `SELECT r.status::text AS status, l.sku, l.quantity
         FROM reservation r LEFT JOIN reservation_line l ON l.reservation_id = r.id
        WHERE r.order_id = $1 ORDER BY l.sku`,
      [orderId],
    );
    const [first] = rows;
    if (!first) return undefined;
    return { status: first.status, lines: rows.map(({ sku, quantity }) => ({ sku, quantity })) };
  }

  async payment(orderId: string): Promise<PaymentRow | undefined> {
    const { rows } = await this.pools.payment.query<PaymentRow>(
      `SELECT status::text AS status, amount_minor AS "amountMinor", currency
         FROM payment WHERE order_id = $1`,
      [orderId],
    );
    return rows[0];
  }

  async notifications(orderId: string): Promise<NotificationRow[]> {
    const { rows } = await this.pools.notification.query<NotificationRow>(
      `SELECT template, customer_id AS "customerId" FROM notification WHERE order_id = $1 ORDER BY sent_at`,
      [orderId],
    );
    return rows;
  }

  async close(): Promise<void> {
    await Promise.all(Object.values(this.pools).map((pool) => pool.end()));
  }
}
