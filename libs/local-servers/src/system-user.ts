import { execFileSync } from 'node:child_process';
import { chownSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export interface SystemUser {
  name: string;
  uid: number;
  gid: number;
}

/** Whether this process runs as root (servers then run as their own unprivileged user). */
export function runningAsRoot(): boolean {
  return process.getuid?.() === 0;
}

/** The uid and gid of a local user account, or undefined when it does not exist. */
export function findSystemUser(name: string): SystemUser | undefined {
  try {
    const id = (flag: string) =>
      Number(execFileSync('id', [flag, name], { encoding: 'utf8', stdio: 'pipe' }).trim());
    return { name, uid: id('-u'), gid: id('-g') };
  } catch {
    return undefined;
  }
}

/** chown -R: the server user must own (and write) everything under its folder. */
export function chownTree(dir: string, user: SystemUser): void {
  chownSync(dir, user.uid, user.gid);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const child = path.join(dir, entry.name);
    if (entry.isDirectory()) chownTree(child, user);
    else chownSync(child, user.uid, user.gid);
  }
}

/**
 * The first folder above `dir` that `user` cannot enter, if any. A server that runs as its own user
 * (rabbitmq, postgres) needs search permission on every parent of its data folder; a home folder
 * with mode 0700 is the usual culprit.
 */
export function blockedAncestor(dir: string, user: SystemUser): string | undefined {
  let current = path.dirname(path.resolve(dir));
  for (;;) {
    try {
      const stats = statSync(current);
      const canEnter =
        stats.uid === user.uid
          ? (stats.mode & 0o100) !== 0
          : stats.gid === user.gid
            ? (stats.mode & 0o010) !== 0
            : (stats.mode & 0o001) !== 0;
      if (!canEnter) return current;
    } catch {
      // Not created yet: we create it with the default mode, which others can enter.
    }
    const parent = path.dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}
