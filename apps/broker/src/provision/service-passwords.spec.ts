import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  MissingPasswordsError,
  PasswordsFileError,
  devPasswordOf,
  passwordEnvOf,
  resolvePasswords,
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

  it('come from the file first, then the environment, then (with --dev only) the dev-only password', () => {
    const file = path.join(dir, 'passwords.json');
    writeFileSync(file, JSON.stringify({ 'order-service': 'from-file' }));
    expect(
      resolvePasswords(services, { file, env: { BROKER_PASSWORD_ORDER_SERVICE: 'from-env' }, dev: true }),
    ).toEqual({ 'order-service': 'from-file', 'payment-service': devPasswordOf('payment-service') });
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
