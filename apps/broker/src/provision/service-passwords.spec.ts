import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  MissingPasswordsError,
  PasswordsFileError,
  passwordEnvOf,
  resolvePasswords,
  usesGeneratedPasswords,
} from './service-passwords';

const services = ['order-service', 'payment-service'];

describe('service passwords', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'orderly-passwords-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('are read from BROKER_PASSWORD_<SERVICE IN UPPER SNAKE CASE>', () => {
    expect(passwordEnvOf('order-service')).toBe('BROKER_PASSWORD_ORDER_SERVICE');
    expect(
      resolvePasswords(services, {
        env: { BROKER_PASSWORD_ORDER_SERVICE: 'o', BROKER_PASSWORD_PAYMENT_SERVICE: 'p' },
      }),
    ).toEqual({ 'order-service': 'o', 'payment-service': 'p' });
  });

  it('come from the file first, then the environment, then (with a generated-passwords file) generated', () => {
    const file = path.join(dir, 'passwords.json');
    const generated = path.join(dir, 'node', 'service-passwords.json');
    writeFileSync(file, JSON.stringify({ 'order-service': 'from-file' }));
    const first = resolvePasswords(services, {
      file,
      env: { BROKER_PASSWORD_ORDER_SERVICE: 'from-env' },
      generated,
    });
    expect(first['order-service']).toBe('from-file');
    expect(first['payment-service']).toMatch(/^[A-Za-z0-9_-]{24}$/);
    // Kept for the developer (owner-only) and given again next time: the broker user keeps its password.
    expect(JSON.parse(readFileSync(generated, 'utf8'))).toEqual({
      'payment-service': first['payment-service'],
    });
    expect(statSync(generated).mode & 0o777).toBe(0o600);
    expect(resolvePasswords(services, { file, generated })).toEqual(first);
    expect(usesGeneratedPasswords(first, generated)).toBe(true);
    expect(usesGeneratedPasswords({ 'order-service': 'from-file' }, generated)).toBe(false);
    // Each service its own secret.
    const both = resolvePasswords(['a-service', 'b-service'], { generated: path.join(dir, 'other.json') });
    expect(both['a-service']).not.toBe(both['b-service']);
  });

  it('name every service without a password, and the variables to set', () => {
    const error = (() => {
      try {
        resolvePasswords(services, { env: { BROKER_PASSWORD_ORDER_SERVICE: 'o' } });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(MissingPasswordsError);
    expect((error as MissingPasswordsError).services).toEqual(['payment-service']);
    expect((error as Error).message).toContain('BROKER_PASSWORD_PAYMENT_SERVICE');
  });

  it('never quote a broken passwords file in the error (it holds secrets)', () => {
    const file = path.join(dir, 'passwords.json');
    writeFileSync(file, '{ "order-service": "s3cret-value", oops }');
    expect(() => resolvePasswords(services, { file })).toThrow(PasswordsFileError);
    expect(() => resolvePasswords(services, { file })).not.toThrow(/s3cret/);
    writeFileSync(file, JSON.stringify({ 'order-service': 42 }));
    expect(() => resolvePasswords(services, { file })).toThrow(/not a string: order-service/);
  });
});
