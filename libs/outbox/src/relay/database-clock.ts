/** Samples kept: at the relay's default backlog interval (5 s), the last minute. */
const SAMPLES = 12;

/**
 * This process's clock against PostgreSQL's. Commit-to-confirm latency starts at the row's
 * `created_at` (database clock) and ends at the broker's confirm (this process's clock); relay and
 * database may run on different hosts. Each sample is a `clock_timestamp()` read between two local
 * readings; the sample with the shortest round trip of the recent ones gives the offset, accurate to
 * half that round trip.
 */
export class DatabaseClock {
  private samples: Array<{ offsetMs: number; roundTripMs: number }> = [];
  private offsetMs = 0;

  /** Epoch milliseconds with sub-millisecond precision, from this process's clock. */
  static localNow(): number {
    return performance.timeOrigin + performance.now();
  }

  /** Records one reading of the database clock taken between `sentAt` and `receivedAt` (local). */
  record(sentAt: number, receivedAt: number, databaseNow: number): void {
    this.samples = [...this.samples, { offsetMs: databaseNow - (sentAt + receivedAt) / 2, roundTripMs: receivedAt - sentAt }].slice(-SAMPLES);
    const best = this.samples.reduce((a, b) => (b.roundTripMs < a.roundTripMs ? b : a));
    this.offsetMs = best.offsetMs;
  }

  /** A local time as the database clock would have read it. */
  toDatabaseTime(localMs: number): number {
    return localMs + this.offsetMs;
  }
}
