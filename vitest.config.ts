import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    // zod's messages in Chinese, as in the app, for tests that use a schema without the app.
    setupFiles: ['src/http/zod-locale.ts'],
    pool: 'forks',
    // Each test file gets its own database (copied from a migrated template), so files run in
    // parallel without seeing each other's rows.
    fileParallelism: true,
    testTimeout: 30_000,
    hookTimeout: 90_000,
    reporters: ['default'],
  },
});
