/**
 * What the outbox needs of a transaction: a Prisma interactive-transaction client of any service
 * (`db.$transaction(async (tx) => …)`) has this method, whatever its models. Typed structurally so this
 * library depends on no service's generated client.
 */
export interface OutboxTransaction {
  $executeRawUnsafe(query: string, ...values: unknown[]): PromiseLike<number>;
}

/**
 * What the inbox needs of a service's Prisma client: interactive transactions. Every generated
 * `PrismaClient` fits; the transaction it hands to `fn` is the service's own typed client.
 */
export interface OutboxDatabase {
  $transaction<R>(
    fn: (tx: OutboxTransaction) => Promise<R>,
    options?: { maxWait?: number; timeout?: number },
  ): PromiseLike<R>;
}
