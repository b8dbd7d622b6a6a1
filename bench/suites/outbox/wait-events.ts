import type { BenchDatabase } from './bench-database';

/** How often the sampler looks at pg_stat_activity. */
const SAMPLE_EVERY_MS = 20;

/**
 * What the database's client sessions were waiting for during a measurement: every 20 ms, the wait
 * event of each active session (`Lock:object` is NOTIFY's commit-time lock; `IO:WalSync` the WAL flush;
 * `Client:ClientRead` a session waiting for its client), counted over the run. Shares of all samples.
 */
export function sampleWaitEvents(database: BenchDatabase): { stop(): Promise<Record<string, number>> } {
  const counts = new Map<string, number>();
  let running = true;
  const loop = (async () => {
    while (running) {
      const rows = await database.query<{ wait: string; sessions: number }>(
        `SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU') AS wait, count(*)::int AS sessions
         FROM pg_stat_activity
         WHERE datname = current_database() AND backend_type = 'client backend'
           AND state NOT IN ('idle') AND pid <> pg_backend_pid()
         GROUP BY 1`,
      );
      for (const row of rows) counts.set(row.wait, (counts.get(row.wait) ?? 0) + row.sessions);
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_EVERY_MS));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      const total = [...counts.values()].reduce((sum, n) => sum + n, 0) || 1;
      return Object.fromEntries(
        [...counts]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 8)
          .map(([wait, n]) => [wait, Math.round((n / total) * 1000) / 10]),
      );
    },
  };
}
