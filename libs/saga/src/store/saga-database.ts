/**
 * What the saga store needs of a transaction: raw SQL, which every Prisma interactive-transaction
 * client has, whatever its models. Typed structurally so this library depends on no service's client.
 */
export interface SagaTransaction {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): PromiseLike<T>;
  $executeRawUnsafe(query: string, ...values: unknown[]): PromiseLike<number>;
}

/** The orchestrating service's Prisma client: transactions and reads outside one. */
export interface SagaDatabase extends SagaTransaction {
  $transaction<R>(
    fn: (tx: SagaTransaction) => Promise<R>,
    options?: { maxWait?: number; timeout?: number },
  ): PromiseLike<R>;
}
