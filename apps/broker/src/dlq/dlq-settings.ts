/** The numbers behind the `dlq` commands, in one place. */
export const DlqSettings = {
  /** Messages `dlq peek` shows without --limit. */
  peekLimit: 10,
  /**
   * Republished messages awaiting their confirm at once during a replay. Each confirm waits for the
   * work queue's disk write (a quorum queue's fsync, ~15 ms here): one at a time that is ~60 msg/s; a
   * window lets the broker batch them. Bounded so that a replay holds little memory on either side.
   */
  replayWindow: 64,
  /** How long a command waits at most for the messages it returned to be back in the queue. */
  requeueWaitMs: 10_000,
} as const;
