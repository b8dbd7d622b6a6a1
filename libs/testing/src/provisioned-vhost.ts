import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Topology } from '@orderly/contracts';
import { createTestVhost, type TestVhost } from './test-broker';
import { workspaceRoot } from './workspace-root';

const run = promisify(execFile);

export interface ProvisionedVhost extends TestVhost {
  /** amqp:// URL of a service's own least-privilege user into this vhost. */
  amqpUrlFor(service: string): string;
}

/**
 * A test vhost provisioned exactly as the broker app provisions a real broker (`npm run broker --
 * provision`, run as a process): the whole topology, and one user per service with its own password.
 * Broker users are global, so they get the vhost's name as a prefix and are deleted by `dispose()`.
 */
export async function createProvisionedVhost(prefix = 'test'): Promise<ProvisionedVhost> {
  const vhost = await createTestVhost(prefix);
  const userPrefix = `${vhost.vhost}.`;
  const passwords = Object.fromEntries(
    Topology.services.map((s) => [s.name, randomBytes(12).toString('base64url')]),
  );
  const dir = mkdtempSync(path.join(os.tmpdir(), 'orderly-provision-'));
  const passwordsFile = path.join(dir, 'passwords.json');
  writeFileSync(passwordsFile, JSON.stringify(passwords), { mode: 0o600 });
  const root = workspaceRoot();
  try {
    await run(
      process.execPath,
      [
        path.join(root, 'tools/scripts/run-ts.mjs'),
        'apps/broker/src/cli.ts',
        'provision',
        '--url',
        vhost.managementUrl,
        '--vhost',
        vhost.vhost,
        '--user-prefix',
        userPrefix,
        '--passwords-file',
        passwordsFile,
      ],
      { cwd: root, timeout: 60_000 },
    );
  } catch (error) {
    await vhost.dispose();
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`provisioning test vhost ${vhost.vhost} failed:\n${stdout}${stderr}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  return {
    ...vhost,
    amqpUrlFor(service) {
      const password = passwords[service];
      if (!password) throw new Error(`no service "${service}" in the topology`);
      const url = new URL(vhost.amqpUrl);
      url.username = encodeURIComponent(`${userPrefix}${service}`);
      url.password = encodeURIComponent(password);
      return url.toString();
    },
    async dispose() {
      await Promise.all(
        Topology.services.map((s) =>
          vhost
            .api('DELETE', `/users/${encodeURIComponent(`${userPrefix}${s.name}`)}`)
            .catch(() => undefined),
        ),
      );
      await vhost.dispose();
    },
  };
}
