import type { AppConfig } from './define-config';
import { ConfigurationError } from './configuration.error';

/** Exit status for a configuration error (sysexits EX_CONFIG), distinct from a crash. */
export const EXIT_CONFIG = 78;

/**
 * Validates the environment before Nest builds anything, so a bad setting stops the process with one
 * readable message (and a JSON line for log collectors) instead of a stack trace from a provider factory.
 */
export function loadConfigOrExit<C extends AppConfig<any>>(
  config: C,
  env: Record<string, string | undefined> = process.env,
): ReturnType<C['parse']> {
  try {
    return config.parse(env) as ReturnType<C['parse']>;
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    process.stderr.write(
      JSON.stringify({
        level: 'fatal',
        time: new Date().toISOString(),
        service: config.appName,
        code: error.code,
        invalid: error.invalid,
        msg: error.message,
      }) + '\n',
    );
    process.stderr.write(`\n${error.message}\n`);
    process.exit(EXIT_CONFIG);
  }
}
