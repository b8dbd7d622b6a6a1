// The shared preset, without its global setup: these checks read files only and need no RabbitMQ or
// PostgreSQL, so `npm test -- --project tools/compose-checks` starts none.
module.exports = {
  ...require('../../jest.preset.js')(__dirname),
  globalSetup: undefined,
  globalTeardown: undefined,
};
