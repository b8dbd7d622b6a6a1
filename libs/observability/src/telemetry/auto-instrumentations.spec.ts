import { instrumentationsFromEnv } from './auto-instrumentations';

describe('instrumentationsFromEnv', () => {
  it('patches http and pg unless told otherwise', () => {
    expect(instrumentationsFromEnv({})).toEqual(['http', 'pg']);
  });

  it('drops what OTEL_NODE_DISABLED_INSTRUMENTATIONS lists and keeps only what OTEL_NODE_ENABLED_INSTRUMENTATIONS lists', () => {
    expect(instrumentationsFromEnv({ OTEL_NODE_DISABLED_INSTRUMENTATIONS: ' pg ' })).toEqual(['http']);
    expect(instrumentationsFromEnv({ OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'pg' })).toEqual(['pg']);
    expect(
      instrumentationsFromEnv({
        OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,pg',
        OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'http',
      }),
    ).toEqual(['pg']);
    expect(instrumentationsFromEnv({ OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'http,pg' })).toEqual([]);
  });

  it('refuses a name it does not know, naming the setting', () => {
    expect(() => instrumentationsFromEnv({ OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'pg,mongodb' })).toThrow(
      'OTEL_NODE_DISABLED_INSTRUMENTATIONS: unknown instrumentation "mongodb" (this service has: http, pg)',
    );
  });
});
