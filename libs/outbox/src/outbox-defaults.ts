/**
 * Every number the outbox, its relay and the inbox depend on, in one place. Services override them
 * through `OutboxModule.forRootAsync` (see `OutboxModuleOptions`); nothing else in this library carries
 * a literal for them.
 */
export const OutboxDefaults = {
  /**
   * Rows one relay worker claims (and holds locked) per transaction, all published with pipelined
   * confirms before the transaction marks them sent. 250 × 2 workers stays within messaging's
   * `maxInFlightPublishes` (500), so a batch never waits for publish slots; a larger batch amortises the
   * claim and mark queries over more messages but holds more rows out of other relays' reach.
   */
  batchSize: 250,

  /**
   * Claim transactions one relay runs at once. Two let one worker's database round trips overlap
   * with the other's publishes; relays of other instances run beside them (SKIP LOCKED).
   */
  workers: 2,

  /**
   * The relay looks for rows at least this often, whether or not a notification came: the fallback for
   * a lost LISTEN connection or writers configured without `notify`.
   */
  pollIntervalMs: 500,

  /**
   * The writer sends `pg_notify` with each transaction that adds messages, so relays wake up right
   * after the commit. PostgreSQL delivers one notification per transaction however many rows it
   * added, but every notifying commit takes a database-wide lock for its commit; see README "Cost of
   * NOTIFY". Without it, a message waits for the next poll (pollIntervalMs / 2 on average).
   */
  notify: true,

  /**
   * Backoff of a row the broker refused (nacked, returned as unroutable, channel closed naming its
   * exchange): first retry after about this long, doubling per attempt up to `retryMaxDelayMs`, with
   * jitter. Later rows of the same aggregate wait behind it; other aggregates do not.
   */
  retryBaseDelayMs: 1_000,
  retryMaxDelayMs: 300_000,

  /**
   * Pause of a relay worker after a publish failed for a reason that is not the row's (no connection,
   * confirm timeout, in-flight limit full). Those rows are left as they were, not backed off: they
   * go out as soon as the broker is back. Publishing itself already waits up to messaging's
   * `confirmTimeoutMs` for a connection, so this only spaces out the attempts during an outage.
   */
  transportRetryDelayMs: 1_000,

  /**
   * PostgreSQL aborts a relay's claim transaction that stays idle this long (`idle_in_transaction_session_timeout`),
   * releasing its rows to other relays if a relay hangs while holding them. Must exceed messaging's
   * `confirmTimeoutMs` plus its `backpressureTimeoutMs` (10 s + 5 s by default).
   */
  claimTimeoutMs: 60_000,

  /** Graceful stop: how long to wait for the batches in flight; after it, their rows are published again later. */
  shutdownTimeoutMs: 15_000,

  /**
   * Sent rows are kept this long (what was published, when; for an operator), then deleted. At 100
   * messages/s an hour is ~360k rows. 0 deletes each row as soon as it is confirmed, instead of
   * marking it: cheaper for the database (see the outbox benchmark), nothing to look back at.
   */
  sentRetentionMs: 3_600_000,

  /**
   * Inbox rows are kept this long. A redelivery older than this would be handled again: it must cover
   * every way a message can come back (redelivery after a crash, retry delays, a replay from a DLQ).
   */
  inboxRetentionMs: 7 * 24 * 3_600_000,

  /** How often a relay deletes expired sent rows and inbox rows. */
  cleanupIntervalMs: 60_000,

  /** Rows per DELETE statement of the cleanup, and statements per cleanup run (so one run is bounded). */
  cleanupBatchSize: 1_000,
  cleanupMaxBatches: 50,

  /** How often a relay reports the backlog (unsent rows, age of the oldest) to the metrics hook. */
  backlogIntervalMs: 5_000,

  /** Delay before the relay re-opens its LISTEN connection after losing it (polling covers the gap). */
  listenReconnectDelayMs: 1_000,

  /**
   * Inbox transactions (the handler's effects and its inbox row): Prisma's interactive-transaction
   * timeout, and how long to wait for a connection to start one. Prisma's own default timeout (5 s)
   * would abort a slow handler's transaction behind its back.
   */
  inboxTransactionTimeoutMs: 10_000,
  inboxTransactionMaxWaitMs: 5_000,
} as const;

export type OutboxSettings = { -readonly [K in keyof typeof OutboxDefaults]: (typeof OutboxDefaults)[K] extends boolean ? boolean : number };
