import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../../src/config.js';

const SECRET = 'k'.repeat(32);

/** The error `readConfig(env)` stops with; fails the test when it starts instead. */
function configError(env: Record<string, string>): ConfigError {
  try {
    readConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`expected readConfig(${JSON.stringify(env)}) to fail`);
}

function expectRefused(env: Record<string, string>, variable: string): ConfigError {
  const error = configError(env);
  expect(error.variable).toBe(variable);
  // One clear line that starts with the variable's name.
  expect(error.message.startsWith(`${variable}: `)).toBe(true);
  expect(error.message).not.toContain('\n');
  return error;
}

describe('configuration (DESIGN.md §4)', () => {
  describe('defaults of a fresh clone', () => {
    const config = readConfig({});

    it('serves on port 3000 on every interface', () => {
      expect(config.port).toBe(3000);
      expect(config.host).toBe('0.0.0.0');
    });

    it('keeps SQLite in ./data', () => {
      expect(config.dataDir).toBe(resolve('./data'));
      expect(config.database).toEqual({ dialect: 'sqlite', path: resolve('./data/caseline.db') });
    });

    it('has no public URL, secret key or admin until they are configured', () => {
      expect(config.publicUrl).toBeNull();
      expect(config.secretKey).toBeNull();
      expect(config.admin).toBeNull();
    });

    it("talks to the providers' real APIs", () => {
      expect(config.providerApiUrls).toEqual({
        twilio: 'https://api.twilio.com',
        vonage: 'https://api.nexmo.com',
        whatsapp: 'https://graph.facebook.com',
        africastalking: 'https://api.africastalking.com',
      });
    });

    it('logs at info level and creates the demo', () => {
      expect(config.logLevel).toBe('info');
      expect(config.demo).toBe(true);
    });

    it('empty variables count as unset', () => {
      expect(readConfig({ PORT: '', DATABASE_URL: '', PUBLIC_URL: '', CASELINE_SECRET_KEY: '', HOST: ' ', LOG_LEVEL: '' })).toEqual(config);
    });
  });

  describe('PORT', () => {
    it('is read as a number', () => {
      expect(readConfig({ PORT: '8080' }).port).toBe(8080);
    });

    it('may be 0, letting the system pick a free port', () => {
      expect(readConfig({ PORT: '0' }).port).toBe(0);
    });

    it.each(['http', '80a', '-1', '65536', '3000.5', 'NaN'])('%j is refused, naming PORT', (port) => {
      expect(expectRefused({ PORT: port }, 'PORT').message).toContain(JSON.stringify(port));
    });
  });

  describe('HOST', () => {
    it('is taken as given, trimmed', () => {
      expect(readConfig({ HOST: ' 127.0.0.1 ' }).host).toBe('127.0.0.1');
    });
  });

  describe('DATABASE_URL', () => {
    it('a sqlite: URL names a file, resolved from the working directory', () => {
      expect(readConfig({ DATABASE_URL: 'sqlite:./db/x.db' }).database).toEqual({
        dialect: 'sqlite',
        path: resolve('./db/x.db'),
      });
    });

    it('a sqlite:// URL with an absolute path is that path', () => {
      expect(readConfig({ DATABASE_URL: 'sqlite:///var/lib/caseline.db' }).database).toEqual({
        dialect: 'sqlite',
        path: '/var/lib/caseline.db',
      });
    });

    it('sqlite::memory: is an in-memory database', () => {
      expect(readConfig({ DATABASE_URL: 'sqlite::memory:' }).database).toEqual({ dialect: 'sqlite', path: ':memory:' });
    });

    it('the default SQLite file follows CASELINE_DATA_DIR', () => {
      const config = readConfig({ CASELINE_DATA_DIR: '/srv/caseline' });
      expect(config.dataDir).toBe('/srv/caseline');
      expect(config.database).toEqual({ dialect: 'sqlite', path: '/srv/caseline/caseline.db' });
    });

    it('a postgres:// or postgresql:// URL selects PostgreSQL, kept as given', () => {
      const url = 'postgres://caseline:secret@db.example.org:5432/caseline';
      expect(readConfig({ DATABASE_URL: url }).database).toEqual({ dialect: 'pg', url });
      const url2 = 'postgresql://localhost/caseline';
      expect(readConfig({ DATABASE_URL: url2 }).database).toEqual({ dialect: 'pg', url: url2 });
    });

    it('sqlite: without a path is refused, naming DATABASE_URL', () => {
      expectRefused({ DATABASE_URL: 'sqlite:' }, 'DATABASE_URL');
    });

    it('a postgres URL that does not parse is refused, naming DATABASE_URL', () => {
      expectRefused({ DATABASE_URL: 'postgres://user:pa ss@host:99999/db' }, 'DATABASE_URL');
    });

    it.each(['mysql://localhost/caseline', './data/caseline.db', 'postgres:/localhost'])('%j is refused, naming DATABASE_URL', (url) => {
      expectRefused({ DATABASE_URL: url }, 'DATABASE_URL');
    });
  });

  describe('PUBLIC_URL', () => {
    it('is kept without trailing slashes', () => {
      expect(readConfig({ PUBLIC_URL: 'https://caseline.example.org/' }).publicUrl).toBe('https://caseline.example.org');
      expect(readConfig({ PUBLIC_URL: 'http://localhost:3000//' }).publicUrl).toBe('http://localhost:3000');
    });

    it('something that is not a URL is refused, naming PUBLIC_URL', () => {
      expect(expectRefused({ PUBLIC_URL: 'caseline.example.org' }, 'PUBLIC_URL').message).toContain('"caseline.example.org"');
    });

    it('a URL that is not http or https is refused, naming PUBLIC_URL', () => {
      expectRefused({ PUBLIC_URL: 'ftp://caseline.example.org' }, 'PUBLIC_URL');
    });
  });

  describe('provider API URLs', () => {
    it.each([
      ['CASELINE_TWILIO_API_URL', 'twilio'],
      ['CASELINE_VONAGE_API_URL', 'vonage'],
      ['CASELINE_WHATSAPP_API_URL', 'whatsapp'],
      ['CASELINE_AFRICASTALKING_API_URL', 'africastalking'],
    ] as const)('%s overrides the %s API', (variable, provider) => {
      expect(readConfig({ [variable]: 'http://127.0.0.1:4010/' }).providerApiUrls[provider]).toBe('http://127.0.0.1:4010');
      expectRefused({ [variable]: 'not a url' }, variable);
    });
  });

  describe('CASELINE_SECRET_KEY', () => {
    it('a key of 32 characters or more is used', () => {
      expect(readConfig({ CASELINE_SECRET_KEY: SECRET }).secretKey).toBe(SECRET);
    });

    it('a key shorter than 32 characters is refused, naming CASELINE_SECRET_KEY', () => {
      expectRefused({ CASELINE_SECRET_KEY: 'k'.repeat(31) }, 'CASELINE_SECRET_KEY');
    });

    it('the refused key is not repeated in the error', () => {
      const key = 'hunter2-but-longer';
      expect(configError({ CASELINE_SECRET_KEY: key }).message).not.toContain(key);
    });
  });

  describe('first admin', () => {
    it('email and password together create the first admin', () => {
      expect(readConfig({ CASELINE_ADMIN_EMAIL: ' admin@example.org ', CASELINE_ADMIN_PASSWORD: 'correct horse' }).admin).toEqual({
        email: 'admin@example.org',
        password: 'correct horse',
      });
    });

    it('an email without a password is refused, naming CASELINE_ADMIN_PASSWORD', () => {
      expectRefused({ CASELINE_ADMIN_EMAIL: 'admin@example.org' }, 'CASELINE_ADMIN_PASSWORD');
    });

    it('a password without an email is refused, naming CASELINE_ADMIN_EMAIL', () => {
      expectRefused({ CASELINE_ADMIN_PASSWORD: 'correct horse' }, 'CASELINE_ADMIN_EMAIL');
      expectRefused({ CASELINE_ADMIN_EMAIL: '  ', CASELINE_ADMIN_PASSWORD: 'correct horse' }, 'CASELINE_ADMIN_EMAIL');
    });

    it('an email that is not an email address is refused', () => {
      expectRefused({ CASELINE_ADMIN_EMAIL: 'admin', CASELINE_ADMIN_PASSWORD: 'correct horse' }, 'CASELINE_ADMIN_EMAIL');
    });

    it('a password shorter than 10 characters is refused, without repeating it', () => {
      const error = expectRefused(
        { CASELINE_ADMIN_EMAIL: 'admin@example.org', CASELINE_ADMIN_PASSWORD: 'Tr0ub4dor' },
        'CASELINE_ADMIN_PASSWORD',
      );
      expect(error.message).not.toContain('Tr0ub4dor');
    });
  });

  describe('LOG_LEVEL and CASELINE_DEMO', () => {
    it('a known log level is used', () => {
      expect(readConfig({ LOG_LEVEL: 'debug' }).logLevel).toBe('debug');
    });

    it('an unknown log level is refused, naming LOG_LEVEL', () => {
      expectRefused({ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL');
    });

    it('CASELINE_DEMO=false skips the demo', () => {
      expect(readConfig({ CASELINE_DEMO: 'false' }).demo).toBe(false);
    });
  });

  describe('CASELINE_METRICS_TOKEN', () => {
    it('is unset by default, leaving /metrics open', () => {
      expect(readConfig({}).metricsToken).toBeNull();
    });

    it('is taken trimmed; one shorter than 16 characters is refused, naming the variable', () => {
      expect(readConfig({ CASELINE_METRICS_TOKEN: ' scrape-token-0123456789 ' }).metricsToken).toBe('scrape-token-0123456789');
      expectRefused({ CASELINE_METRICS_TOKEN: 'short' }, 'CASELINE_METRICS_TOKEN');
    });
  });

  it('a ConfigError is an Error named ConfigError', () => {
    const error = new ConfigError('PORT', 'is wrong');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ConfigError');
    expect(error.message).toBe('PORT: is wrong');
  });
});
