import { registerWorkspaceAliases } from './workspace-aliases';
import type { RunningTestServers } from './test-servers';

// Jest runs the globalSetup of every project of a multi-project run in this same process, one after
// another: the first one starts the servers and exports their URLs, the others find them in the env.
// Servers given from outside (all three variables set) are used as they are and never stopped.
export default async function globalSetup(): Promise<void> {
  registerWorkspaceAliases();
  // Loaded only now: it imports @orderly/local-servers, which plain `require` resolves from here on.
  const { startTestServers, TestEnv } = await import('./test-servers');
  if (process.env[TestEnv.amqpUrl] && process.env[TestEnv.databaseUrl] && process.env[TestEnv.managementUrl])
    return;
  const servers = await startTestServers((line) => process.stderr.write(`\n[orderly-test] ${line}\n`));
  Object.assign(process.env, servers.env);
  (globalThis as { __orderlyTestServers?: RunningTestServers }).__orderlyTestServers = servers;
}
