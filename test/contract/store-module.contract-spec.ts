import { Global, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppConfig } from '../../src/config/app-config';
import { EnvironmentVariables } from '../../src/config/env.validation';
import { ApiKeyStore } from '../../src/store/ports/api-key-store.port';
import { ChangeFeed, StoreHealth } from '../../src/store/ports/change-feed.port';
import { AuditLog, PromptStore } from '../../src/store/ports/prompt-store.port';
import { EmbeddedPromptStore } from '../../src/store/embedded/embedded-prompt.store';
import { RedisPromptStore } from '../../src/store/redis/redis-prompt.store';
import { StoreModule } from '../../src/store/store.module';
import { createdAudit, newVersion } from './store.contract';
import { requireRedisUrl } from '../helpers/redis-server';
import { randomPrefix } from './redis-test-keys';

async function boot(overrides: Partial<EnvironmentVariables>) {
  const config = Object.freeze(Object.assign(new EnvironmentVariables(), overrides));
  @Global()
  @Module({ providers: [{ provide: AppConfig, useValue: config }], exports: [AppConfig] })
  class TestConfigModule {}
  const moduleRef = await Test.createTestingModule({ imports: [TestConfigModule, StoreModule.forRoot()] }).compile();
  moduleRef.useLogger(false);
  return moduleRef.init();
}

describe('StoreModule', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'promptflag-module-'));
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('binds every port to the embedded store in DATA_DIR when REDIS_URL is unset, and closes it on shutdown', async () => {
    const dataDir = join(dir, 'nested', 'data');
    const app = await boot({ DATA_DIR: dataDir });
    const prompts = app.get(PromptStore);
    expect(prompts).toBeInstanceOf(EmbeddedPromptStore);
    for (const port of [AuditLog, ApiKeyStore, ChangeFeed]) expect(app.get(port)).toBeDefined();
    expect(app.get(StoreHealth).kind).toBe('embedded');
    await prompts.createVersion(newVersion('wired'), createdAudit);
    expect(existsSync(join(dataDir, 'promptflag.db'))).toBe(true);
    await app.close();
    await expect(app.get(StoreHealth).ping()).rejects.toThrow(/unavailable/);
  });

  it('binds every port to Redis when REDIS_URL is set, and closes its connections on shutdown', async () => {
    const app = await boot({ REDIS_URL: requireRedisUrl(), REDIS_KEY_PREFIX: randomPrefix('module'), REDIS_COMMAND_TIMEOUT_MS: 1000 });
    expect(app.get(PromptStore)).toBeInstanceOf(RedisPromptStore);
    const health = app.get(StoreHealth);
    expect(health.kind).toBe('redis');
    await expect(health.ping()).resolves.toBeUndefined();
    await expect(app.get(PromptStore).getState('nothing')).resolves.toMatchObject({ latestVersion: 0 });
    await app.close();
    await expect(health.ping()).rejects.toThrow(/Redis is unreachable/);
  });
});
