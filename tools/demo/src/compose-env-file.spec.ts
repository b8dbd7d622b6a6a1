import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  fillPlaceholders,
  parseEnvFile,
  placeholderKeys,
  prepareEnvFile,
  randomSecret,
} from './compose-env-file';
import { DemoRefusedError } from './demo-refused.error';

const root = path.resolve(__dirname, '../../..');
const exampleText = readFileSync(path.join(root, '.env.example'), 'utf8');

describe('the .env of the compose demo', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'orderly-demo-env-'));
    copyFileSync(path.join(root, '.env.example'), path.join(dir, '.env.example'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is written from .env.example with a new random value for every placeholder, readable by its owner only', () => {
    const state = prepareEnvFile(dir);

    expect(state).toEqual({
      status: 'created',
      path: path.join(dir, '.env'),
      generated: placeholderKeys(exampleText),
    });
    expect(statSync(path.join(dir, '.env')).mode & 0o777).toBe(0o600);
    const written = parseEnvFile(readFileSync(path.join(dir, '.env'), 'utf8'));
    const example = parseEnvFile(exampleText);
    expect(written.map((e) => e.key)).toEqual(example.map((e) => e.key));
    const secrets = written.filter(({ key }) => placeholderKeys(exampleText).includes(key));
    expect(secrets.length).toBeGreaterThanOrEqual(10);
    for (const { value } of secrets) expect(value).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(new Set(secrets.map((s) => s.value)).size).toBe(secrets.length);
    // What is not a placeholder is kept as the example has it.
    const kept = Object.fromEntries(
      written.filter(({ key }) => !secrets.some((s) => s.key === key)).map((e) => [e.key, e.value]),
    );
    expect(kept).toEqual(
      Object.fromEntries(
        example.filter(({ value }) => !value.startsWith('change-me-')).map((e) => [e.key, e.value]),
      ),
    );
    expect(placeholderKeys(readFileSync(path.join(dir, '.env'), 'utf8'))).toEqual([]);
  });

  it('keeps the comments of .env.example, so the generated file documents itself', () => {
    prepareEnvFile(dir);
    const comments = (text: string) => text.split('\n').filter((line) => line.startsWith('#'));
    expect(comments(readFileSync(path.join(dir, '.env'), 'utf8'))).toEqual(comments(exampleText));
  });

  it('is used as it is when it holds real values, and never rewritten', () => {
    const mine = 'RABBITMQ_ADMIN_PASSWORD=mine-and-only-mine\nLOG_LEVEL=debug\n';
    writeFileSync(path.join(dir, '.env'), mine);
    expect(prepareEnvFile(dir)).toEqual({ status: 'existing', path: path.join(dir, '.env') });
    expect(readFileSync(path.join(dir, '.env'), 'utf8')).toBe(mine);
  });

  it('is refused, naming each placeholder left, when it still holds change-me values', () => {
    writeFileSync(
      path.join(dir, '.env'),
      'RABBITMQ_ADMIN_PASSWORD=chosen-by-me\nPOSTGRES_PASSWORD=change-me-postgres\n' +
        '# GRAFANA_ADMIN_PASSWORD=change-me-in-a-comment\nGRAFANA_ADMIN_PASSWORD="change-me-grafana-admin"\n',
    );
    expect(() => prepareEnvFile(dir)).toThrow(DemoRefusedError);
    expect(() => prepareEnvFile(dir)).toThrow(
      /\.env still holds change-me-… placeholders: POSTGRES_PASSWORD, GRAFANA_ADMIN_PASSWORD\. Replace each/,
    );
  });
});

describe('reading and filling dotenv text', () => {
  it('reads KEY=VALUE lines as compose does: comments, blank lines, export, quotes', () => {
    expect(
      parseEnvFile('# a comment\n\nA=1\nexport B = two \nC="three # not a comment"\nD=four # a comment\n'),
    ).toEqual([
      { key: 'A', value: '1' },
      { key: 'B', value: 'two' },
      { key: 'C', value: 'three # not a comment' },
      { key: 'D', value: 'four' },
    ]);
  });

  it('replaces placeholders only, quoted or not, and says which', () => {
    const { text, generated } = fillPlaceholders(
      'USER=admin\nPASSWORD=change-me-password\nTOKEN="change-me-token"\n# NOTE=change-me-not-a-setting\n',
      (key) => `secret-of-${key}`,
    );
    expect(text).toBe(
      'USER=admin\nPASSWORD=secret-of-PASSWORD\nTOKEN="secret-of-TOKEN"\n# NOTE=change-me-not-a-setting\n',
    );
    expect(generated).toEqual(['PASSWORD', 'TOKEN']);
  });

  it('makes secrets that fit in a URL and differ each time', () => {
    const secrets = Array.from({ length: 20 }, () => randomSecret());
    for (const secret of secrets) expect(encodeURIComponent(secret)).toBe(secret);
    expect(new Set(secrets).size).toBe(20);
  });
});
