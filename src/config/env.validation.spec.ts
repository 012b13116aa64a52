import { validateEnvironment } from './env.validation';

describe(validateEnvironment.name, () => {
  it('applies defaults to an empty environment', () => {
    const env = validateEnvironment({});
    expect(env).toMatchObject({ PORT: 3000, DATA_DIR: './data', LOG_LEVEL: 'info', REDIS_KEY_PREFIX: 'pf' });
    expect(env.REDIS_URL).toBeUndefined();
    expect(env.PROMPTFLAG_ADMIN_KEY).toBeUndefined();
  });

  it('coerces numbers and keeps given values', () => {
    const env = validateEnvironment({ PORT: '8080', REDIS_URL: 'redis://127.0.0.1:6379', LOG_LEVEL: 'debug', UNRELATED: 'x' });
    expect(env).toMatchObject({ PORT: 8080, REDIS_URL: 'redis://127.0.0.1:6379', LOG_LEVEL: 'debug' });
  });

  it('names every bad variable at once', () => {
    const attempt = () => validateEnvironment({ PORT: 'eighty', REDIS_URL: 'http://x', PROMPTFLAG_ADMIN_KEY: 'short', LOG_LEVEL: 'loud' });
    expect(attempt).toThrow(/PORT=/);
    expect(attempt).toThrow(/REDIS_URL=/);
    expect(attempt).toThrow(/PROMPTFLAG_ADMIN_KEY must be at least 32 characters/);
    expect(attempt).toThrow(/LOG_LEVEL=/);
  });

  it('never echoes a secret back', () => {
    expect(() => validateEnvironment({ PROMPTFLAG_ADMIN_KEY: 'hunter2', REDIS_URL: 'http://user:pw@host' })).toThrow(
      expect.objectContaining({ message: expect.not.stringMatching(/hunter2|pw@host/) }),
    );
  });

  it('treats an empty value as unset', () => {
    expect(validateEnvironment({ REDIS_URL: '', PORT: '' })).toMatchObject({ PORT: 3000, REDIS_URL: undefined });
  });
});
