/**
 * Compose's variable interpolation (https://docs.docker.com/reference/compose-file/interpolation/), to
 * read the files as `docker compose` does: `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
 * `${VAR:?error}`, `${VAR?error}`, `${VAR:+replacement}`, `${VAR+replacement}`, and `$$` for a literal `$`.
 * Nested expressions inside a default are not supported (Orderly does not use them).
 */

export interface VariableUse {
  name: string;
  /** `:?` or `?`: compose refuses to run without it. */
  required: boolean;
  /** The message compose prints when a required variable is missing. */
  error?: string;
  /** A default (`:-` or `-`) applies when unset. */
  hasDefault: boolean;
}

/** A required variable (`${VAR:?message}`) that the environment does not give. */
export class MissingVariableError extends Error {
  override readonly name = 'MissingVariableError';
  constructor(
    readonly variable: string,
    readonly hint: string | undefined,
  ) {
    super(`required variable ${variable} is missing a value${hint ? `: ${hint}` : ''}`);
  }
}

const EXPRESSION = /\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/** Every variable a string uses, in order. */
export function variablesIn(text: string): VariableUse[] {
  const uses: VariableUse[] = [];
  for (const match of text.matchAll(EXPRESSION)) {
    const [, dollar, braced, operator, argument, bare] = match;
    if (dollar) continue;
    const name = braced ?? bare;
    if (!name) continue;
    const required = operator === ':?' || operator === '?';
    uses.push({
      name,
      required,
      error: required ? argument : undefined,
      hasDefault: operator === ':-' || operator === '-',
    });
  }
  return uses;
}

/** The string with every variable replaced from `env`; throws `MissingVariableError` as compose fails. */
export function interpolate(text: string, env: Record<string, string | undefined>): string {
  return text.replace(
    EXPRESSION,
    (_whole, dollar?: string, braced?: string, operator?: string, argument = '', bare?: string) => {
      if (dollar) return '$';
      const name = (braced ?? bare) as string;
      const value = env[name];
      const set = value !== undefined;
      const nonEmpty = set && value !== '';
      switch (operator) {
        case ':-':
          return nonEmpty ? value : argument;
        case '-':
          return set ? value : argument;
        case ':?':
          if (!nonEmpty) throw new MissingVariableError(name, argument || undefined);
          return value;
        case '?':
          if (!set) throw new MissingVariableError(name, argument || undefined);
          return value;
        case ':+':
          return nonEmpty ? argument : '';
        case '+':
          return set ? argument : '';
        default:
          return value ?? '';
      }
    },
  );
}

/** Applies `interpolate` to every string of a parsed YAML document (keys stay as written, as in compose). */
export function interpolateDocument<T>(document: T, env: Record<string, string | undefined>): T {
  const visit = (value: unknown): unknown => {
    if (typeof value === 'string') return interpolate(value, env);
    if (Array.isArray(value)) return value.map(visit);
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, visit(inner)]));
    }
    return value;
  };
  return visit(document) as T;
}

/** Every variable used anywhere in a parsed document's strings. */
export function variablesOfDocument(document: unknown): VariableUse[] {
  if (typeof document === 'string') return variablesIn(document);
  if (Array.isArray(document)) return document.flatMap(variablesOfDocument);
  if (document && typeof document === 'object') return Object.values(document).flatMap(variablesOfDocument);
  return [];
}

/** Reads a dotenv file as compose does for `.env` (KEY=value lines, # comments, optional quotes). */
export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match) continue;
    const [, key, rest] = match as unknown as [string, string, string];
    const quoted = /^(['"])(.*)\1$/.exec(rest);
    env[key] = quoted ? (quoted[2] as string) : rest.replace(/\s+#.*$/, '');
  }
  return env;
}
