import type { OutboxDatabase } from './database-client';
import { OutboxDefaults } from './outbox-defaults';
import { resolveOutboxOptions } from './outbox-options';

const database = {} as OutboxDatabase;
const required = { database, databaseUrl: 'postgres://localhost/db' };

describe('resolveOutboxOptions', () => {
  it('fills in every default and runs a relay', () => {
    expect(resolveOutboxOptions(required)).toEqual({ ...OutboxDefaults, ...required, runRelay: true, relayName: 'outbox-relay' });
  });

  it('keeps what is given, ignoring undefined', () => {
    expect(resolveOutboxOptions({ ...required, batchSize: 50, workers: undefined })).toMatchObject({ batchSize: 50, workers: OutboxDefaults.workers });
  });

  it.each([
    [{ batchSize: 0 }, /batchSize must be an integer >= 1/],
    [{ workers: 1.5 }, /workers must be an integer >= 1/],
    [{ pollIntervalMs: 0 }, /pollIntervalMs must be >= 1 ms/],
    [{ claimTimeoutMs: -1 }, /claimTimeoutMs must be a number of milliseconds/],
    [{ retryBaseDelayMs: 10_000, retryMaxDelayMs: 1_000 }, /retryMaxDelayMs must not be below retryBaseDelayMs/],
    [{ databaseUrl: '' }, /databaseUrl is required/],
  ])('refuses %j', (overrides, message) => {
    expect(() => resolveOutboxOptions({ ...required, ...overrides })).toThrow(message);
  });
});
