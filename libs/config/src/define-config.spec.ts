import { z } from 'zod';
import { ConfigurationError } from './configuration.error';
import { defineConfig } from './define-config';

const Config = defineConfig('demo-service', {
  DATABASE_URL: z.url().describe('PostgreSQL database owned by this service'),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000).describe('HTTP port'),
  BROKER_PASSWORD: z.string().min(8).describe('Broker password'),
});

describe('defineConfig', () => {
  it('returns typed settings with defaults applied', () => {
    const settings = Config.parse({ DATABASE_URL: 'postgres://db/x', BROKER_PASSWORD: 'long-enough' });
    expect(settings).toEqual({ DATABASE_URL: 'postgres://db/x', PORT: 3000, BROKER_PASSWORD: 'long-enough' });
  });

  it('treats an empty variable as unset so that the default applies', () => {
    expect(Config.parse({ DATABASE_URL: 'postgres://db/x', PORT: '', BROKER_PASSWORD: 'long-enough' }).PORT).toBe(3000);
  });

  it('names every bad setting with its meaning in one error, without echoing secrets', () => {
    let error: unknown;
    try {
      Config.parse({ PORT: 'seventy', BROKER_PASSWORD: 'short' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    const { message, invalid } = error as ConfigurationError;
    expect(invalid.map((s) => s.key).sort()).toEqual(['BROKER_PASSWORD', 'DATABASE_URL', 'PORT']);
    expect(message).toContain('DATABASE_URL: missing');
    expect(message).toContain('PostgreSQL database owned by this service');
    expect(message).toContain('PORT:');
    expect(message).toContain('"seventy"');
    expect(message).not.toContain('short');
  });

  it('masks the password of a URL setting in the error', () => {
    expect(() =>
      defineConfig('x', { AMQP_URL: z.url().startsWith('amqps://') }).parse({ AMQP_URL: 'amqp://u:secret@h/v' }),
    ).toThrow(/amqp:\/\/u:\*\*\*@h\/v/);
  });

  it('documents its settings as a markdown table', () => {
    expect(Config.describe()).toContain('| `PORT` | `3000` | HTTP port |');
    expect(Config.describe()).toContain('| `DATABASE_URL` | required |');
  });
});
