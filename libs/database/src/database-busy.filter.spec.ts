import { isDatabaseBusy } from './database-busy.filter';

describe('isDatabaseBusy', () => {
  it('recognises the ways a request finds no database connection in time', () => {
    expect(
      isDatabaseBusy(
        Object.assign(new Error('Unable to start a transaction in the given time.'), { code: 'P2028' }),
      ),
    ).toBe(true);
    expect(
      isDatabaseBusy(Object.assign(new Error('Timed out fetching a new connection'), { code: 'P2024' })),
    ).toBe(true);
    expect(isDatabaseBusy(new Error('timeout exceeded when trying to connect'))).toBe(true);
  });

  it('leaves every other error to the usual handling', () => {
    expect(isDatabaseBusy(Object.assign(new Error('Unique constraint failed'), { code: 'P2002' }))).toBe(
      false,
    );
    expect(isDatabaseBusy(new Error('connection refused'))).toBe(false);
    expect(isDatabaseBusy(undefined)).toBe(false);
    expect(isDatabaseBusy('P2028')).toBe(false);
  });
});
