import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll } from 'vitest';
import { createApp } from '../../src/app';
import { loadConfig, type Config } from '../../src/config';
import { createLogger } from '../../src/logger';
import type { TestDatabase } from './test-db';

export const TEST_SECRET = 'test-secret-test-secret-test-secret-0123456789';

export function testConfig(db: Pick<TestDatabase, 'url'>, env: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test', DATABASE_URL: db.url, SESSION_SECRET: TEST_SECRET, LOG_LEVEL: 'silent', SANDBOX: '0', ...env,
  });
}

export function testApp(db: TestDatabase, env: Record<string, string> = {}) {
  const config = testConfig(db, env);
  return createApp({ config, db, logger: createLogger('silent') });
}

/** The app on a real port, for browser tests and for the sandbox to call back. */
export async function listen(app: ReturnType<typeof createApp>): Promise<{ url: string; server: Server }> {
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}
