import { INSERT_COLUMN_COUNT, insertStatement, NOTIFY_CHANNEL } from './outbox-sql';

describe('insertStatement', () => {
  it('numbers the parameters row after row, each with its cast', () => {
    const sql = insertStatement(2, false);
    expect(sql).toMatch(/^INSERT INTO outbox \(message_id, type, aggregate, /);
    expect(sql).toContain(`($1::varchar, $2::varchar, $3::varchar`);
    expect(sql).toContain(`$${INSERT_COLUMN_COUNT}::json), ($${INSERT_COLUMN_COUNT + 1}::varchar`);
    expect(sql).toMatch(new RegExp(`\\$${2 * INSERT_COLUMN_COUNT}::json\\)$`));
  });

  it('notifies the relays in the same statement when asked', () => {
    expect(insertStatement(1, true)).toMatch(new RegExp(`^WITH added AS \\(INSERT .*\\) SELECT pg_notify\\('${NOTIFY_CHANNEL}', ''\\)$`));
  });
});
