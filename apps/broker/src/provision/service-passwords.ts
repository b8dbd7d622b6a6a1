import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BrokerError } from '../errors/broker-error';

/** Broker password per service name (`order-service` → secret). */
export type ServicePasswords = Record<string, string>;

/** `order-service` → `BROKER_PASSWORD_ORDER_SERVICE`. */
export const passwordEnvOf = (service: string): string =>
  `BROKER_PASSWORD_${service.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`;

export class MissingPasswordsError extends BrokerError {
  readonly code = 'BROKER.MISSING_PASSWORDS';

  constructor(readonly services: string[]) {
    super(
      `no broker password for ${services.join(', ')}: set ${services.map(passwordEnvOf).join(', ')}, ` +
        `or pass --passwords-file <json>, or --generate-passwords <json> to have them generated`,
    );
  }
}

export interface PasswordSources {
  /** Environment to read `BROKER_PASSWORD_<SERVICE>` from. */
  env?: NodeJS.ProcessEnv;
  /** A JSON file `{ "order-service": "secret", ... }`; it wins over the environment. */
  file?: string;
  /**
   * A JSON file of generated passwords (like `file`): a service without a password gets the one kept
   * there, or a new random one that is added to it (created with mode 0600). There are no default
   * passwords: a local broker's users get generated ones, which its developer reads from this file.
   */
  generated?: string;
}

/** One password per service: from the file, then the environment, then (with `generated`) generated. */
export function resolvePasswords(services: readonly string[], sources: PasswordSources): ServicePasswords {
  const fromFile = sources.file ? readPasswordsFile(sources.file) : {};
  const generated =
    sources.generated && existsSync(sources.generated) ? readPasswordsFile(sources.generated) : {};
  const passwords: ServicePasswords = {};
  const missing: string[] = [];
  let added = false;
  for (const service of services) {
    let password = fromFile[service] || sources.env?.[passwordEnvOf(service)] || generated[service] || '';
    if (!password && sources.generated) {
      // URL-safe: it goes into amqp:// URLs as it is.
      password = randomBytes(18).toString('base64url');
      generated[service] = password;
      added = true;
    }
    if (password) passwords[service] = password;
    else missing.push(service);
  }
  if (missing.length > 0) throw new MissingPasswordsError(missing);
  if (added && sources.generated) {
    mkdirSync(path.dirname(sources.generated), { recursive: true });
    writeFileSync(sources.generated, `${JSON.stringify(generated, null, 2)}\n`, { mode: 0o600 });
  }
  return passwords;
}

/** Whether `resolvePasswords` took any of these services' passwords from the generated file. */
export function usesGeneratedPasswords(passwords: ServicePasswords, generatedFile: string): boolean {
  if (!existsSync(generatedFile)) return false;
  const generated = readPasswordsFile(generatedFile);
  return Object.entries(passwords).some(([service, password]) => generated[service] === password);
}

function readPasswordsFile(file: string): ServicePasswords {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    // Never quote the parser's message: it shows part of the file, which holds secrets.
    const code = (error as NodeJS.ErrnoException).code;
    throw new PasswordsFileError(file, code ? `cannot read it (${code})` : 'not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new PasswordsFileError(file, 'expected a JSON object { "<service>": "<password>" }');
  }
  const wrong = Object.entries(parsed).filter(([, value]) => typeof value !== 'string');
  if (wrong.length > 0) {
    throw new PasswordsFileError(file, `not a string: ${wrong.map(([key]) => key).join(', ')}`);
  }
  return parsed as ServicePasswords;
}

export class PasswordsFileError extends BrokerError {
  readonly code = 'BROKER.PASSWORDS_FILE';

  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`cannot use the passwords file ${file}: ${reason}`);
  }
}
