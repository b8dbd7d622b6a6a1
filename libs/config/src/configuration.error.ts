export interface InvalidSetting {
  key: string;
  problem: string;
  meaning?: string;
  value?: string;
}

/** Thrown at boot when settings are missing or invalid; the process must not start. */
export class ConfigurationError extends Error {
  readonly code = 'CONFIG.INVALID';

  constructor(
    readonly appName: string,
    readonly invalid: InvalidSetting[],
  ) {
    super(
      `${appName} refuses to start: ${invalid.length} invalid setting(s)\n` +
        invalid
          .map(
            (s) =>
              `  - ${s.key}: ${s.problem}` +
              (s.value !== undefined ? ` (got "${s.value}")` : '') +
              (s.meaning ? ` — ${s.meaning}` : ''),
          )
          .join('\n'),
    );
    this.name = 'ConfigurationError';
  }
}
