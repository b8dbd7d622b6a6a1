import type { RunningTestServers } from './test-servers';

export default async function globalTeardown(): Promise<void> {
  const holder = globalThis as { __orderlyTestServers?: RunningTestServers };
  const servers = holder.__orderlyTestServers;
  if (!servers) return;
  holder.__orderlyTestServers = undefined;
  await servers.stop();
}
