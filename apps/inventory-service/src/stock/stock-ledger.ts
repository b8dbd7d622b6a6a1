import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { DataOf, ReserveStock, StockUnavailable } from '@orderly/contracts';
import type { Prisma } from '@orderly/inventory-db';
import { StockCommandRefusedError } from './stock-command-refused.error';

type Tx = Prisma.TransactionClient;
type Shortfall = DataOf<typeof StockUnavailable>['missing'][number];

/** What a ReserveStock comes to; the handler turns it into the reply. */
export type ReserveOutcome =
  | { kind: 'reserved'; reservationId: string }
  | { kind: 'unavailable'; missing: Shortfall[] };

/** What a ReleaseStock comes to: stock given back now, or nothing held (already released, refused, or a tombstone). */
export type ReleaseOutcome = { kind: 'released'; moved: boolean };

interface ReservationRow {
  id: string;
  status: 'HELD' | 'RELEASED' | 'COMMITTED' | 'REFUSED' | 'CANCELLED';
  missing: Shortfall[] | null;
}

/**
 * The stock of every product and the one reservation per order, moved only inside the caller's
 * transaction (the inbox's, so the reply joins it through the outbox).
 *
 * Two locks keep it correct under concurrency and any order of arrival:
 * - the order's `reservation` row, taken first by every command (`INSERT … ON CONFLICT DO NOTHING`, then
 *   `SELECT … FOR UPDATE`): commands about one order run one after another, and the row records the
 *   outcome, so a repeated or late command finds it;
 * - the `product` rows of the order's SKUs, always in SKU order (`ORDER BY sku FOR UPDATE`) before any
 *   counter moves, so two orders competing for the same products wait for each other instead of
 *   deadlocking, and the availability read is the one the update applies to: no overselling. The
 *   CHECK constraints (counters >= 0) are the safety net behind that.
 */
@Injectable()
export class StockLedger {
  async reserve(tx: Tx, { orderId, lines }: DataOf<typeof ReserveStock>): Promise<ReserveOutcome> {
    const wanted = mergeLines(lines);
    const fresh = await this.claim(tx, orderId, 'HELD');
    if (!fresh) return this.outcomeOf(await this.lockReservation(tx, orderId), wanted);

    const skus = wanted.map((line) => line.sku);
    const products = await tx.$queryRaw<Array<{ sku: string; available: number }>>`
      SELECT sku, available FROM product WHERE sku = ANY(${skus}::varchar[]) ORDER BY sku FOR UPDATE`;
    const available = new Map(products.map((p) => [p.sku, p.available]));
    const missing = wanted
      .filter((line) => (available.get(line.sku) ?? 0) < line.quantity)
      .map((line) => ({ sku: line.sku, requested: line.quantity, available: available.get(line.sku) ?? 0 }));
    if (missing.length > 0) {
      await tx.$executeRaw`
        UPDATE reservation SET status = 'REFUSED', missing = ${JSON.stringify(missing)}::jsonb, updated_at = now()
        WHERE id = ${fresh}::uuid`;
      return { kind: 'unavailable', missing };
    }
    const quantities = wanted.map((line) => line.quantity);
    await tx.$executeRaw`
      UPDATE product p SET available = p.available - l.quantity, reserved = p.reserved + l.quantity, updated_at = now()
      FROM unnest(${skus}::varchar[], ${quantities}::int[]) AS l(sku, quantity) WHERE p.sku = l.sku`;
    await tx.$executeRaw`
      INSERT INTO reservation_line (reservation_id, sku, quantity)
      SELECT ${fresh}::uuid, l.sku, l.quantity FROM unnest(${skus}::varchar[], ${quantities}::int[]) AS l(sku, quantity)`;
    return { kind: 'reserved', reservationId: fresh };
  }

  async release(tx: Tx, orderId: string): Promise<ReleaseOutcome> {
    // No reservation yet (the release overtook the reserve, or the reserve never came): leave a
    // tombstone, so that a ReserveStock arriving later is refused instead of holding stock for a dead order.
    if (await this.claim(tx, orderId, 'CANCELLED')) return { kind: 'released', moved: false };
    const reservation = await this.lockReservation(tx, orderId);
    switch (reservation.status) {
      case 'HELD':
        await this.moveHeld(tx, reservation.id, 'release');
        await this.setStatus(tx, reservation.id, 'RELEASED');
        return { kind: 'released', moved: true };
      case 'COMMITTED':
        // The stock was sold to a confirmed order: giving it back would sell it twice, and answering
        // StockReleased would tell the orchestrator something false. Parked for an operator instead.
        throw new StockCommandRefusedError(
          'INVENTORY.RELEASE_AFTER_COMMIT',
          `order ${orderId}: its stock was committed (sold); a release cannot undo a sale`,
        );
      default:
        return { kind: 'released', moved: false };
    }
  }

  async commit(tx: Tx, orderId: string): Promise<void> {
    const [reservation] = await tx.$queryRaw<ReservationRow[]>`
      SELECT id, status::text AS status, missing FROM reservation WHERE order_id = ${orderId}::uuid FOR UPDATE`;
    if (reservation?.status === 'COMMITTED') return;
    if (reservation?.status !== 'HELD') {
      // The orchestrator commits only after StockReserved, so this is a bug or a hand-made message.
      throw new StockCommandRefusedError(
        'INVENTORY.NOTHING_TO_COMMIT',
        `order ${orderId}: no stock is held (${reservation ? reservation.status.toLowerCase() : 'no reservation'})`,
      );
    }
    await this.moveHeld(tx, reservation.id, 'commit');
    await this.setStatus(tx, reservation.id, 'COMMITTED');
  }

  /** Inserts the order's reservation row with `status`; its id, or undefined when the order has one already. */
  private async claim(tx: Tx, orderId: string, status: 'HELD' | 'CANCELLED'): Promise<string | undefined> {
    const inserted = await tx.$queryRaw<Array<{ id: string }>>`
      INSERT INTO reservation (id, order_id, status, updated_at)
      VALUES (${randomUUID()}::uuid, ${orderId}::uuid, ${status}::reservation_status, now())
      ON CONFLICT (order_id) DO NOTHING RETURNING id`;
    return inserted[0]?.id;
  }

  private async lockReservation(tx: Tx, orderId: string): Promise<ReservationRow> {
    const [row] = await tx.$queryRaw<ReservationRow[]>`
      SELECT id, status::text AS status, missing FROM reservation WHERE order_id = ${orderId}::uuid FOR UPDATE`;
    // The row exists: our INSERT found it (ON CONFLICT waits for a concurrent inserter to commit).
    if (!row) throw new Error(`reservation of order ${orderId} vanished`);
    return row;
  }

  /** The answer to a ReserveStock for an order that already has an outcome: the same one. */
  private outcomeOf(reservation: ReservationRow, wanted: Array<{ sku: string; quantity: number }>): ReserveOutcome {
    switch (reservation.status) {
      case 'HELD':
      case 'COMMITTED':
        return { kind: 'reserved', reservationId: reservation.id };
      case 'REFUSED':
        return { kind: 'unavailable', missing: reservation.missing ?? [] };
      case 'RELEASED':
      case 'CANCELLED':
        // The order was called off: nothing is (or will be) held for it.
        return {
          kind: 'unavailable',
          missing: wanted.map((line) => ({ sku: line.sku, requested: line.quantity, available: 0 })),
        };
    }
  }

  /** Moves a held reservation's quantities out of `reserved`: back to `available`, or on to `sold`. */
  private async moveHeld(tx: Tx, reservationId: string, move: 'release' | 'commit'): Promise<void> {
    const lines = await tx.$queryRaw<Array<{ sku: string; quantity: number }>>`
      SELECT sku, quantity FROM reservation_line WHERE reservation_id = ${reservationId}::uuid ORDER BY sku`;
    const skus = lines.map((line) => line.sku);
    const quantities = lines.map((line) => line.quantity);
    // Same lock order as reserve: SKU order, before the update (whose own row order is the planner's).
    await tx.$queryRaw`SELECT 1 FROM product WHERE sku = ANY(${skus}::varchar[]) ORDER BY sku FOR UPDATE`;
    if (move === 'release') {
      await tx.$executeRaw`
        UPDATE product p SET available = p.available + l.quantity, reserved = p.reserved - l.quantity, updated_at = now()
        FROM unnest(${skus}::varchar[], ${quantities}::int[]) AS l(sku, quantity) WHERE p.sku = l.sku`;
    } else {
      await tx.$executeRaw`
        UPDATE product p SET sold = p.sold + l.quantity, reserved = p.reserved - l.quantity, updated_at = now()
        FROM unnest(${skus}::varchar[], ${quantities}::int[]) AS l(sku, quantity) WHERE p.sku = l.sku`;
    }
  }

  private async setStatus(tx: Tx, reservationId: string, status: 'RELEASED' | 'COMMITTED'): Promise<void> {
    await tx.reservation.update({ where: { id: reservationId }, data: { status } });
  }
}

/** One line per SKU, in SKU order (an order may name a SKU twice; the reservation keeps one line per SKU). */
export function mergeLines(lines: ReadonlyArray<{ sku: string; quantity: number }>): Array<{ sku: string; quantity: number }> {
  const bySku = new Map<string, number>();
  for (const line of lines) bySku.set(line.sku, (bySku.get(line.sku) ?? 0) + line.quantity);
  return [...bySku.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([sku, quantity]) => ({ sku, quantity }));
}
