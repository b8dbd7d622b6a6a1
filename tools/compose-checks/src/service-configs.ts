import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { AppConfig } from '@orderly/config';

/**
 * The configuration schema of every app (`apps/<app>/src/config/<app>.config.ts`, declared with
 * `defineConfig` of @orderly/config), loaded as the apps load it, so that the compose check validates the
 * real zod schemas rather than a copy of their keys. A tool may not import an app (Nx module boundaries):
 * the files are found on disk and required by path, which reads the schema without depending on the app.
 */
export function loadServiceConfigs(appsDir: string): Map<string, AppConfig<any>> {
  const configs = new Map<string, AppConfig<any>>();
  for (const app of readdirSync(appsDir).sort()) {
    const configDir = path.join(appsDir, app, 'src', 'config');
    if (!existsSync(configDir)) continue;
    for (const file of readdirSync(configDir).filter((f) => f.endsWith('.config.ts'))) {
      const exported = require(path.join(configDir, file)) as Record<string, unknown>;
      for (const value of Object.values(exported)) {
        if (isAppConfig(value)) configs.set(value.appName, value);
      }
    }
  }
  return configs;
}

function isAppConfig(value: unknown): value is AppConfig<any> {
  const candidate = value as Partial<AppConfig<any>> | undefined;
  return (
    !!candidate &&
    typeof candidate.parse === 'function' &&
    typeof candidate.appName === 'string' &&
    !!candidate.shape
  );
}

/** The settings an app cannot start without: no default, not optional. */
export function requiredSettings(config: AppConfig<any>): string[] {
  return Object.entries(config.shape)
    .filter(
      ([, type]) => !(type as { safeParse(v: unknown): { success: boolean } }).safeParse(undefined).success,
    )
    .map(([key]) => key);
}
