import os from 'node:os';
import path from 'node:path';
import { blockedAncestor, findSystemUser, runningAsRoot } from './system-user';

/**
 * Where to keep a local server's data: `preferred` (the workspace's git-ignored `.local/…`), unless the
 * servers' own users (rabbitmq, postgres — they run as those when we are root) cannot reach it, as
 * when the checkout sits under a 0700 folder (`mktemp -d`, a home folder). Then the same name under the
 * system's temporary folder, which every user can enter. Deterministic, so another process (`broker
 * status`, `broker stop`) finds the same folder.
 */
export function serverFolder(preferred: string): string {
  if (!runningAsRoot()) return preferred;
  const users = ['rabbitmq', 'postgres'].map((name) => findSystemUser(name));
  const blocked = users.some((user) => user && blockedAncestor(path.join(preferred, 'x'), user));
  if (!blocked) return preferred;
  const workspace = path.basename(path.dirname(path.dirname(path.resolve(preferred))));
  return path.join(os.tmpdir(), `orderly-${workspace}`, path.basename(preferred));
}
