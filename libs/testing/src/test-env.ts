import { TestEnv } from './test-servers';

/** Reads one of the variables set by the global setup, with a hint when a test runs outside it. */
export function testEnv(name: (typeof TestEnv)[keyof typeof TestEnv]): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set: run tests through jest (its globalSetup starts the servers) or \`npm test\``,
    );
  }
  return value;
}
