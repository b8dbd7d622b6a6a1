import { z } from 'zod';
import { ConfigurationError, type InvalidSetting } from './configuration.error';

type Shape = Record<string, z.ZodType>;

/** The typed, validated settings of one app, declared once in the app's `config/<app>.config.ts`. */
export interface AppConfig<S extends Shape> {
  readonly appName: string;
  readonly shape: S;
  /** Injection token under which the parsed settings are provided (see `ConfigModule.forApp`). */
  readonly KEY: symbol;
  /** Validates an environment; throws one `ConfigurationError` that names every bad setting. */
  parse(env: Record<string, string | undefined>): z.output<z.ZodObject<S>>;
  /** Markdown table of the settings (name, default, meaning) for READMEs. */
  describe(): string;
}

export type ConfigOf<C> = C extends AppConfig<infer S> ? z.output<z.ZodObject<S>> : never;

/**
 * Declares an app's settings with a zod schema per environment variable. `.describe()` on each key is
 * its documented meaning; it is repeated in the error message so an operator knows what a value is for.
 */
export function defineConfig<S extends Shape>(appName: string, shape: S): AppConfig<S> {
  const schema = z.object(shape);
  return {
    appName,
    shape,
    KEY: Symbol(`${appName}.config`),
    parse(env) {
      const input: Record<string, unknown> = {};
      for (const key of Object.keys(shape)) {
        // An empty string is "not set" for an environment variable; defaults should apply.
        input[key] = env[key] === '' ? undefined : env[key];
      }
      const result = schema.safeParse(input);
      if (result.success) return result.data;
      const invalid: InvalidSetting[] = result.error.issues.map((issue) => {
        const key = String(issue.path[0]);
        return {
          key,
          problem: env[key] === undefined || env[key] === '' ? 'missing' : issue.message,
          meaning: shape[key]?.description,
          value: redact(key, env[key]),
        };
      });
      throw new ConfigurationError(appName, invalid);
    },
    describe() {
      const rows = Object.entries(shape).map(([key, type]) => {
        const fallback = defaultOf(type);
        return `| \`${key}\` | ${fallback === undefined ? 'required' : `\`${fallback}\``} | ${type.description ?? ''} |`;
      });
      return ['| setting | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
    },
  };
}

function defaultOf(type: z.ZodType): string | undefined {
  const result = type.safeParse(undefined);
  return result.success && result.data !== undefined ? String(result.data) : undefined;
}

/** Values that look like credentials are never echoed into logs. */
function redact(key: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (/PASSWORD|SECRET|TOKEN|KEY$/i.test(key)) return '<redacted>';
  try {
    const url = new URL(value);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return value;
  }
}
