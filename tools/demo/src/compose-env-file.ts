import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DemoRefusedError } from './demo-refused.error';

// The compose stack's settings live in `.env` at the root (git-ignored), written from `.env.example`,
// whose secrets are all "change-me-…" placeholders (tools/compose-checks makes sure of that). The demo
// never starts the stack with a placeholder: it generates a `.env` when there is none, and refuses one
// that still holds placeholders.

/** How `.env.example` marks a value the user must replace. */
export const PlaceholderPrefix = 'change-me-';

/** KEY=VALUE lines of a dotenv file (comments, blank lines and `export ` prefixes as compose reads them). */
export function parseEnvFile(text: string): Array<{ key: string; value: string }> {
  const entries: Array<{ key: string; value: string }> = [];
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match) continue;
    const [, key = '', raw = ''] = match;
    const quoted = /^(["'])(.*)\1$/.exec(raw);
    entries.push({ key, value: quoted ? (quoted[2] ?? '') : raw.replace(/\s+#.*$/, '') });
  }
  return entries;
}

/** The keys whose value is still a placeholder. */
export function placeholderKeys(text: string): string[] {
  return parseEnvFile(text)
    .filter(({ value }) => value.startsWith(PlaceholderPrefix))
    .map(({ key }) => key);
}

/**
 * `.env.example` with every placeholder replaced by `secretFor(key)`; comments and the other values are
 * kept, so the generated file documents itself as the example does.
 */
export function fillPlaceholders(
  exampleText: string,
  secretFor: (key: string) => string,
): { text: string; generated: string[] } {
  const generated: string[] = [];
  const text = exampleText
    .split('\n')
    .map((line) => {
      const match =
        /^(\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*)(["']?)change-me-[^\s"'#]*\3(.*)$/.exec(line);
      if (!match) return line;
      const [, assignment = '', key = '', quote = '', rest = ''] = match;
      generated.push(key);
      return `${assignment}${quote}${secretFor(key)}${quote}${rest}`;
    })
    .join('\n');
  return { text, generated };
}

/**
 * A new random secret: 32 characters of letters, digits, "-" and "_" (base64url), safe inside the
 * postgresql:// and amqp:// URLs the compose file builds from them, and longer than any minimum
 * (ADMIN_TOKEN ≥ 16, the Erlang cookie ≥ 20).
 */
export function randomSecret(): string {
  return randomBytes(24).toString('base64url');
}

export type EnvFileState =
  { status: 'created'; path: string; generated: string[] } | { status: 'existing'; path: string };

/**
 * Makes sure `<dir>/.env` holds real values: writes it from `.env.example` with random secrets when it
 * does not exist (readable by its owner only), and refuses, naming them, when an existing one still
 * holds placeholders. An existing `.env` is never rewritten: the databases keep the passwords they were
 * created with.
 */
export function prepareEnvFile(dir: string, secretFor: (key: string) => string = randomSecret): EnvFileState {
  const envPath = path.join(dir, '.env');
  if (existsSync(envPath)) {
    const left = placeholderKeys(readFileSync(envPath, 'utf8'));
    if (left.length > 0) {
      throw new DemoRefusedError(
        `${envPath} still holds ${PlaceholderPrefix}… placeholders: ${left.join(', ')}. Replace each with a ` +
          'secret of letters, digits, "-" and "_" (e.g. `openssl rand -hex 24`), or delete .env and the demo ' +
          'writes one with random values (then `docker compose down -v` first if the stack ran before: ' +
          'PostgreSQL keeps the passwords it was created with).',
      );
    }
    return { status: 'existing', path: envPath };
  }
  const examplePath = path.join(dir, '.env.example');
  if (!existsSync(examplePath))
    throw new DemoRefusedError(`${examplePath} is missing: it is the template of .env`);
  const { text, generated } = fillPlaceholders(readFileSync(examplePath, 'utf8'), secretFor);
  // `wx`: never overwrite a .env that appeared meanwhile; 0600: the file holds every password of the stack.
  writeFileSync(envPath, text, { mode: 0o600, flag: 'wx' });
  return { status: 'created', path: envPath, generated };
}
