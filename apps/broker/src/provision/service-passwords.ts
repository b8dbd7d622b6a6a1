import { readFileSync } from 'node:fs';
import { BrokerError } from '../errors/broker-error';

/** Broker password per service name (`order-service` → secret). */
export type ServicePasswords = Record<string, string>;

/** `order-service` → `BROKER_PASSWORD_ORDER_SERVICE`. */
export const passwordEnvOf = (service: string): string =>
  `BROKER_PASSWORD_${service.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`;

/**
 * DEV ONLY. The password `start` (and `provision --dev`) give a service's user when none is supplied:
 * predictable, so a local service can be started with a known AMQP_URL. Never use it for a broker that
 * anything but this machine can reach.
 */
export const devPasswordOf = (service: string): string => `${service}-dev-only`;

export class MissingPasswordsError extends BrokerError {
  readonly code = 'BROKER.MISSING_PASSWORDS';

  constructor(readonly services: string[]) {
    super(
      `no broker password for ${services.join(', ')}: set ${services.map(passwordEnvOf).join(', ')}, ` +
        `or pass --passwords-file <json>, or --dev for the local dev-only passwords`,
    );
  }
}

export interface PasswordSources {
  /** Environment to read `BROKER_PASSWORD_<SERVICE>` from. */
  env?: NodeJS.ProcessEnv;
  /** A JSON file `{ "order-service": "secret", ... }`; it wins over the environment. */
  file?: string;
  /** Fall back to the dev-only password for services without one. */
  dev?: boolean;
}

/** One password per service, from the file, then the environment, then (with `dev`) the dev password. */
export function resolvePasswords(services: readonly string[], sources: PasswordSources): ServicePasswords {
  const fromFile = sources.file ? readPasswordsFile(sources.file) : {};
  const passwords: ServicePasswords = {};
  const missing: string[] = [];
  for (const service of services) {
    const password =
      fromFile[service] ||
      sources.env?.[passwordEnvOf(service)] ||
      (sources.dev ? devPasswordOf(service) : '');
    if (password) passwords[service] = password;
    else missing.push(service);
  }
  if (missing.length > 0) throw new MissingPasswordsError(missing);
  return passwords;
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
