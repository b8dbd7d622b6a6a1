/**
 * Every number the transport depends on, in one place. Services override them through
 * `MessagingModule.forRootAsync` (see `MessagingModuleOptions`); nothing else in this library
 * carries a literal for them.
 */
export const MessagingDefaults = {
  /**
   * Unacknowledged deliveries per queue consumer (AMQP basic.qos, per consumer). It is also the number
   * of handlers that may run at once for that queue. 20 keeps a slow database busy without letting one
   * instance hoard a burst that other instances could share; raise it for cheap handlers.
   */
  prefetch: 20,

  /**
   * Publishes awaiting a broker confirm (or a connection) at once, per publisher. Beyond this, callers
   * wait: this is what bounds memory while the broker is slow, blocked or unreachable.
   */
  maxInFlightPublishes: 500,

  /** How long a publish waits for a free in-flight slot before it is rejected with `buffer-full`. */
  backpressureTimeoutMs: 5_000,

  /**
   * How long a publish waits for a channel and then for the broker's confirm before it is rejected
   * with `timeout` (or `closed` when no connection came up). A quorum queue confirms in a few ms; the
   * margin covers fsync stalls and a broker briefly under flow control.
   */
  confirmTimeoutMs: 10_000,

  /**
   * Graceful shutdown: how long to wait for running handlers after consumers were cancelled. Deliveries
   * whose handler is still running then are left unacknowledged: the broker redelivers them (and the
   * inbox makes the second handling harmless). Below Kubernetes' default 30 s grace period.
   */
  shutdownTimeoutMs: 20_000,

  /**
   * At startup, how long `listen()` waits for the first broker connection before it lets the service
   * start without it (live, not ready; consuming starts when the broker is reachable). With a
   * reachable broker, a topology problem still fails startup.
   */
  startupConnectTimeoutMs: 5_000,

  /** Delay before a consumer channel that the broker closed (e.g. queue deleted) is opened again. */
  channelReopenDelayMs: 1_000,

  /** Delay between attempts to assert the topology after a reconnect, while it keeps failing. */
  topologyRetryDelayMs: 5_000,

  /** amqp-connection-manager: seconds between reconnect attempts. */
  reconnectSeconds: 2,

  /** AMQP heartbeat: a dead TCP peer is noticed after about two missed heartbeats. */
  heartbeatSeconds: 10,

  /**
   * Longest error message stored in a dead letter's `x-orderly-error-message` header (bytes of UTF-8).
   * Headers travel in one AMQP frame table (amqplib caps tables at 64 KiB); an operator needs the
   * first line, not a megabyte of stack.
   */
  maxErrorHeaderBytes: 1_024,

  /**
   * How much a retry's delay may be shortened at random, as a fraction of its tier's delay (0.2: a 5 s
   * tier waits 4–5 s). Messages that failed together (a database outage) then come back spread out
   * instead of as one burst. Only downwards: the tier queue's TTL is the delay and caps it anyway.
   * The tiers and the number of attempts are per queue, in the topology (`RetryDefaults`, libs/contracts).
   */
  retryJitter: 0.2,

  /**
   * Largest message body a consumer accepts (bytes). A bigger one is parked in the DLQ unread, never
   * retried: our messages are small JSON documents, and parsing and validating megabytes per delivery
   * would stall the consumer. RabbitMQ's own limit (`max_message_size`) is far above this.
   */
  maxMessageBytes: 1_048_576,
} as const;
