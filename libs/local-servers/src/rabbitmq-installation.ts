import { accessSync, constants, realpathSync } from 'node:fs';
import path from 'node:path';
import { RabbitMqNotInstalledError } from './errors/rabbitmq-not-installed.error';

// Where RabbitMQ's scripts live, best first. Debian's /usr/sbin/rabbitmq-server is a wrapper
// (rabbitmq-script-wrapper) that re-runs the real script through `su rabbitmq`, which resets HOME and
// writes its output to /var/log/rabbitmq: we want the real script, which Debian keeps in
// /usr/lib/rabbitmq/bin. Homebrew and the generic Unix build put the real scripts on the PATH.
const KnownDirs = ['/usr/lib/rabbitmq/bin', '/opt/homebrew/sbin', '/usr/local/sbin', '/usr/sbin'];

/** The RabbitMQ scripts of this machine (`rabbitmq-server` and its siblings). */
export interface RabbitMqInstallation {
  binDir: string;
  server: string;
}

/** Finds `rabbitmq-server`, or throws RabbitMqNotInstalledError saying how to install it. */
export function findRabbitMq(binDir?: string): RabbitMqInstallation {
  const pathDirs = (process.env['PATH'] ?? '').split(path.delimiter).filter(Boolean);
  const candidates = binDir ? [binDir] : [...new Set([...KnownDirs, ...pathDirs])];
  for (const dir of candidates) {
    const server = path.join(dir, 'rabbitmq-server');
    if (!isExecutable(server)) continue;
    if (path.basename(realpathSync(server)) === 'rabbitmq-script-wrapper') continue;
    return { binDir: dir, server };
  }
  throw new RabbitMqNotInstalledError(candidates);
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
