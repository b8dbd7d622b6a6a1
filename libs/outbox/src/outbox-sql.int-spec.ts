import { Client } from 'pg';
import { CLAIM_SQL, RELAY_SESSION_OPTIONS } from './outbox-sql';
import { OutboxTestBed } from './test-support/outbox-test-bed';
import { parcelMoved } from './test-support/shop-topology';

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function nodesOf(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodesOf)];
}

describe('the relay claim statement', () => {
  let bed: OutboxTestBed;
  beforeAll(async () => (bed = await OutboxTestBed.create('outbox_sql')));
  afterAll(() => bed?.dispose());

  it('walks the unsent index in id order and probes per row, even when statistics say the table is empty', async () => {
    // Statistics taken on an empty table, then a backlog arrives (an outage): the plan must not become
    // "fetch every unsent row, sort, join" (O(backlog) per claim).
    await bed.query('VACUUM ANALYZE outbox');
    const batch = Array.from({ length: 500 }, (_, seq) => parcelMoved(`p-${seq % 100}`, seq));
    for (let i = 0; i < 10; i++) await bed.commit(batch.map((m) => ({ ...m, id: `${m.id}-${i}` })));

    const relaySession = new Client({ connectionString: bed.database.url, options: RELAY_SESSION_OPTIONS });
    await relaySession.connect();
    try {
      const { rows } = await relaySession.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(
        `EXPLAIN (FORMAT JSON) ${CLAIM_SQL.replace('$1', '250')}`,
      );
      const nodes = nodesOf(rows[0]['QUERY PLAN'][0].Plan);
      const types = nodes.map((node) => node['Node Type']);
      expect(types).not.toEqual(expect.arrayContaining(['Seq Scan']));
      expect(types.filter((type) => ['Bitmap Heap Scan', 'Merge Join', 'Hash Join', 'Nested Loop'].includes(type))).toEqual([]);
      const scans = nodes.filter((node) => node['Node Type'].includes('Index')).map((node) => node['Index Name']);
      expect(scans).toEqual(expect.arrayContaining(['outbox_unsent_idx', 'outbox_unsent_aggregate_idx']));
      // The only sort is the final one over the (at most 250) claimed rows, above the CTE.
      const lockRows = nodes.find((node) => node['Node Type'] === 'LockRows') as PlanNode;
      expect(nodesOf(lockRows).map((node) => node['Node Type'])).not.toContain('Sort');
    } finally {
      await relaySession.end();
    }
  });
});
