// This library's tests start their own servers: the harness's global setup (which starts the shared
// RabbitMQ and PostgreSQL of a test run) would only add a second node for nothing.
const preset = require('../../jest.preset.js')(__dirname);
module.exports = { ...preset, globalSetup: undefined, globalTeardown: undefined };
