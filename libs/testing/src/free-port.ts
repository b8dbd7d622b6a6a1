// One implementation for the servers and the tests: see libs/local-servers/src/free-port.ts.
export { freePort } from '@orderly/local-servers';
