import { readFileSync } from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import { workspaceRoot } from './workspace-root';

type Resolve = (request: string, ...rest: unknown[]) => string;

/**
 * Makes plain Node `require` resolve the `@orderly/*` aliases of tsconfig.base.json. Jest loads its
 * globalSetup and globalTeardown with plain `require` (its TypeScript transform applies, its
 * moduleNameMapper does not), and the servers they start come from `@orderly/local-servers`.
 * Idempotent; test files never need it (jest maps the aliases for them).
 */
export function registerWorkspaceAliases(): void {
  const loader = Module as unknown as { _resolveFilename: Resolve & { orderlyAliases?: true } };
  if (loader._resolveFilename.orderlyAliases) return;
  const root = workspaceRoot();
  const { compilerOptions } = JSON.parse(readFileSync(path.join(root, 'tsconfig.base.json'), 'utf8')) as {
    compilerOptions: { paths: Record<string, string[]> };
  };
  const aliases = new Map(
    Object.entries(compilerOptions.paths).flatMap(([alias, [target]]) =>
      target && !alias.includes('*') ? [[alias, path.join(root, target)] as const] : [],
    ),
  );
  const original = loader._resolveFilename;
  const resolve: Resolve & { orderlyAliases?: true } = function (this: unknown, request, ...rest) {
    return original.call(this, aliases.get(request) ?? request, ...rest);
  };
  resolve.orderlyAliases = true;
  loader._resolveFilename = resolve;
}
