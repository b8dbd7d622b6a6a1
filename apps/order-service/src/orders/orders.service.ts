import { createHash, randomUUID } from 'node:crypto';
import {
  ConflictException,
  Injectable,
  NotFoundException,
  UnprocessableEntityException,
} from '@nestjs/common';
import { OrderPlaced } from '@orderly/contracts';
import { type Prisma, PrismaClient as OrderDatabase } from '@orderly/order-db';
import { OutboxWriter } from '@orderly/outbox';
import { SagaRuntime, SagaTransitionRefusedError, type SagaState, type SagaTransaction } from '@orderly/saga';
import { PlaceOrderSaga } from '../place-order/place-order.saga';
import { type OrderView, sagaSummary, timelineView } from './order-view';
import { mergeLines, type PlaceOrderRequest } from './place-order.request';

export const SOURCE = '/orderly/order-service';

type OrderRow = Prisma.OrderGetPayload<{ include: { lines: true } }>;

@Injectable()
export class OrdersService {
  constructor(
    private readonly db: OrderDatabase,
    private readonly outbox: OutboxWriter,
    private readonly sagas: SagaRuntime,
  ) {}

  /**
   * Saves the order PENDING and starts its saga in one transaction (the first command and OrderPlaced
   * go out through the outbox). With an idempotency key, a repeated request returns the first order.
   */
  async place(
    request: PlaceOrderRequest,
    idempotencyKey?: string,
  ): Promise<{ order: OrderView; created: boolean }> {
    const requestHash = createHash('sha256').update(JSON.stringify(request)).digest('hex');
    if (idempotencyKey) {
      const existing = await this.replay(idempotencyKey, requestHash);
      if (existing) return { order: existing, created: false };
    }
    const id = randomUUID();
    const lines = mergeLines(request.lines);
    const totalMinor = lines.reduce((sum, l) => sum + l.quantity * l.unitPriceMinor, 0);
    const total = { amountMinor: totalMinor, currency: request.currency };
    try {
      await this.db.$transaction(async (tx) => {
        await tx.order.create({
          data: {
            id,
            customerId: request.customerId,
            totalMinor,
            currency: request.currency,
            idempotencyKey: idempotencyKey ?? null,
            requestHash: idempotencyKey ? requestHash : null,
            lines: { create: lines },
          },
        });
        const data = {
          orderId: id,
          customerId: request.customerId,
          lines: lines.map(({ sku, quantity }) => ({ sku, quantity })),
          total,
        };
        await this.outbox.add(
          tx,
          OrderPlaced,
          OrderPlaced.create({ ...data }, { source: SOURCE, subject: id, correlationId: id }),
        );
        await this.sagas.start(tx as unknown as SagaTransaction, PlaceOrderSaga, id, data);
      });
    } catch (error) {
      // Two requests with one key at once: the second insert hits the unique key; answer as a replay.
      if (idempotencyKey && (error as { code?: string }).code === 'P2002') {
        const existing = await this.replay(idempotencyKey, requestHash);
        if (existing) return { order: existing, created: false };
      }
      throw error;
    }
    return { order: await this.found(id), created: true };
  }

  async find(id: string): Promise<OrderView | undefined> {
    const order = await this.db.order.findUnique({
      where: { id },
      include: { lines: { orderBy: { sku: 'asc' } } },
    });
    if (!order) return undefined;
    const saga = await this.sagas.find(id);
    return {
      ...viewOf(order),
      ...(saga ? { saga: { ...sagaSummary(saga), timeline: timelineView(saga.timeline) } } : {}),
    };
  }

  /** Starts the compensation of a running order; 409 once it is terminal or past the point of no return. */
  async cancel(id: string): Promise<OrderView> {
    const order = await this.db.order.findUnique({ where: { id } });
    if (!order) throw new NotFoundException({ message: `no order ${id}` });
    if (order.status !== 'PENDING')
      throw new ConflictException({ message: `order ${id} is already ${order.status}` });
    try {
      await this.sagas.cancel(id, 'cancelled by customer');
    } catch (error) {
      if (error instanceof SagaTransitionRefusedError)
        throw new ConflictException({ message: `order ${id} can no longer be cancelled: ${error.why}` });
      throw error;
    }
    return this.found(id);
  }

  private async found(id: string): Promise<OrderView> {
    const order = await this.find(id);
    if (!order) throw new NotFoundException({ message: `no order ${id}` });
    return order;
  }

  private async replay(idempotencyKey: string, requestHash: string): Promise<OrderView | undefined> {
    const existing = await this.db.order.findUnique({ where: { idempotencyKey } });
    if (!existing) return undefined;
    if (existing.requestHash !== requestHash) {
      throw new UnprocessableEntityException({
        message: 'this Idempotency-Key was used with a different request body',
        errors: [{ path: 'Idempotency-Key', message: `already used for order ${existing.id}` }],
      });
    }
    return this.find(existing.id);
  }
}

function viewOf(order: OrderRow): Omit<OrderView, 'saga'> {
  return {
    id: order.id,
    customerId: order.customerId,
    status: order.status,
    totalMinor: order.totalMinor,
    currency: order.currency,
    lines: order.lines.map(({ sku, quantity, unitPriceMinor }) => ({ sku, quantity, unitPriceMinor })),
    ...(order.reason ? { reason: order.reason } : {}),
    createdAt: order.createdAt.toISOString(),
  };
}

/**
 * Keeps the order in step with its saga, in the saga's transaction: completed → CONFIRMED,
 * compensated → CANCELLED (the customer asked) or REJECTED, with the reason.
 */
export async function updateOrderFromSaga(
  tx: SagaTransaction,
  _before: SagaState | undefined,
  after: SagaState,
): Promise<void> {
  const status =
    after.status === 'COMPLETED'
      ? 'CONFIRMED'
      : after.status === 'COMPENSATED'
        ? after.cancelled
          ? 'CANCELLED'
          : 'REJECTED'
        : undefined;
  if (!status) return;
  await (tx as unknown as Prisma.TransactionClient).order.update({
    where: { id: after.id },
    data: { status, reason: status === 'CONFIRMED' ? null : after.reason },
  });
}
