// No default credentials anywhere in what we ship or run: configuration, scripts, images, the demo and
// the broker CLI. Every password and token is generated (demo, tests) or required (compose, services).
// Static checks over the repository's files; compose files are checked in depth by tools/compose-checks.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../../..');

/** Files in the repository (tracked, or new and not ignored), without tests, fixtures and prose. */
const shipped = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
  cwd: root,
  encoding: 'utf8',
})
  .split('\n')
  .filter(
    (file) =>
      file !== '' &&
      !/(^|\/)node_modules\//.test(file) &&
      // Tests use throw-away values by design ('wrong', 'nothing'); fixtures are deliberately bad files.
      !/\.(spec|int-spec|e2e-spec)\.ts$/.test(file) &&
      !/(^|\/)(fixtures|test-support)\//.test(file) &&
      /\.(ts|js|mjs|cjs|json|ya?ml|conf|sh|env|config)$|(^|\/)Dockerfile$|(^|\/)\.env/.test(file) &&
      !/package-lock\.json$/.test(file),
  );

const read = (file: string): string => {
  try {
    return readFileSync(path.join(root, file), 'utf8');
  } catch {
    return ''; // listed but deleted in the working tree
  }
};

/**
 * The text without comments (`/* … *\/`, and `#` or `//` to the end of a line) and without examples in
 * help texts (`e.g. http://admin:secret@broker`): prose about guest, or an example URL, is not a default.
 */
const code = (text: string): string =>
  text
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .split('\n')
    .map((line) => line.replace(/(^|\s)(#|\/\/).*$/, '').replace(/\be\.g\.\s+\S+/g, ''))
    .join('\n');

const WeakSecret =
  '(guest|admin|password|passw0rd|postgres|rabbitmq|secret|changeme|letmein|root|123456|test)';

describe('no default credentials', () => {
  it('finds files to check (the file list is not empty by mistake)', () => {
    expect(shipped.length).toBeGreaterThan(50);
    expect(shipped).toEqual(
      expect.arrayContaining(['apps/broker/rabbitmq/rabbitmq.conf', 'tools/demo/src/demo.ts']),
    );
  });

  it('has no guest user and no weak password in any URL, config key or definitions file', () => {
    const patterns: Array<[string, RegExp]> = [
      ['an amqp:// URL with guest', /amqps?:\/\/guest[:@]/i],
      // `user:password@` is how messages show the shape of a URL, not a credential.
      ['a URL with a weak password', new RegExp(`[a-z]+://(?!user:)[^/\\s:@'"\`]+:${WeakSecret}@`, 'i')],
      ['rabbitmq.conf default_user/default_pass guest', /^\s*default_(user|pass)\s*=\s*guest\b/im],
      ['a definitions user named guest', /"name"\s*:\s*"guest"/],
      [
        'a password setting with a weak value',
        new RegExp(`(PASSWORD|_PASS|TOKEN|SECRET)\\s*[=:]\\s*["']?${WeakSecret}["']?\\s*$`, 'im'),
      ],
    ];
    const found = shipped.flatMap((file) => {
      const text = code(read(file));
      return patterns.filter(([, pattern]) => pattern.test(text)).map(([what]) => `${file}: ${what}`);
    });
    expect(found).toEqual([]);
  });

  it('has no password or token written as a literal in the sources (generated or required instead)', () => {
    // `password: '…'`, `adminPassword = "…"`, `ADMIN_TOKEN: '…'`; masks ('***') and env variable names are not secrets.
    const literal = /\b(\w*password|\w*passwd|\w*secret|admin_?token)\b\s*[:=]\s*(['"`])([^'"`$\s]{3,})\2/gi;
    const found = shipped
      .filter((file) => /\.(ts|js|mjs|cjs)$/.test(file))
      .flatMap((file) =>
        [...code(read(file)).matchAll(literal)]
          .filter((match) => {
            const value = match[3] as string;
            return !/^\*+$/.test(value) && !/^[A-Z][A-Z0-9_]+$/.test(value); // '***', 'RABBITMQ_ADMIN_PASSWORD'
          })
          .map((match) => `${file}: ${match[0]}`),
      );
    expect(found).toEqual([]);
  });

  it('gives no service setting that carries a secret a default (the service refuses to start without it)', () => {
    const configFiles = [
      'libs/config/src/service-settings.ts',
      ...shipped.filter((file) => /^apps\/[^/]+\/src\/config\/[^/]+\.config\.ts$/.test(file)),
    ];
    expect(configFiles.length).toBeGreaterThan(1);
    const found = configFiles.flatMap((file) => {
      // Each `KEY: z…` declaration runs until the next key at the same indentation.
      const declarations = code(read(file)).split(/\n(?=\s+[A-Z][A-Z0-9_]*\s*:)/);
      return declarations
        .filter((declaration) =>
          /^\s*([A-Z0-9_]*(PASSWORD|TOKEN|SECRET)|DATABASE_URL|AMQP_URL)\s*:/.test(declaration),
        )
        .filter((declaration) => /\.default\(/.test(declaration))
        .map((declaration) => `${file}: ${/^\s*([A-Z0-9_]+)/.exec(declaration)?.[1]} has a default`);
    });
    expect(found).toEqual([]);
  });

  it('makes the demo generate its passwords and token on every run', () => {
    const demo = read('tools/demo/src/demo.ts') + read('tools/demo/src/local-stack.ts');
    expect(demo).toMatch(/adminToken = randomBytes\(/);
    expect(demo).toMatch(/const secret = randomBytes\(/);
  });
});
