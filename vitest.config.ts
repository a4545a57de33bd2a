import { existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

// Browser tests need Debian's Chromium. Without it they are left out, saying how to get it —
// except in CI, where they run and fail with the same words (test/helpers/browser.ts), so a CI
// machine without the browser never passes by skipping them.
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const withoutBrowser = !existsSync(chromium) && !process.env.CI;
const unitOnly = process.argv[process.argv.indexOf('--project') + 1] === 'unit';
if (withoutBrowser && !unitOnly) console.warn(`browser tests (test/e2e) left out: no Chromium at ${chromium}: apt-get install chromium fonts-noto-cjk (Debian's; a browser is never downloaded), or point CHROMIUM_PATH at one`);

// Two projects: `unit` (test/unit: pure code, no database, no global setup — `npm run test:unit`)
// and `db` (everything else, on PostgreSQL). `npm test` runs both.
export default defineConfig({
  test: {
    // zod's messages in Chinese, as in the app, for tests that use a schema without the app.
    setupFiles: ['src/http/zod-locale.ts'],
    pool: 'forks',
    fileParallelism: true,
    testTimeout: 30_000,
    hookTimeout: 90_000,
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          // Pure code with no mocks or environment changes: one thread reuses its module graph
          // across files instead of a fresh process per file.
          pool: 'threads',
          isolate: false,
          // vitest's default is one worker less than the cores: on a two-core machine, one.
          maxWorkers: 2,
          // Transformed modules kept on disk (node_modules/.experimental-vitest-cache) between
          // runs: a rerun skips most of the main process's transform work, which the workers
          // otherwise wait on. Only here: these files have no mocks and no environment of their own.
          experimental: { fsModuleCache: true },
          // Projects with their own worker count run in their own group: unit first, then db.
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'db',
          include: ['test/**/*.test.ts'],
          exclude: ['test/unit/**', '**/node_modules/**', ...(withoutBrowser ? ['test/e2e/**'] : [])],
          // Migrates and seeds two template databases once per run; each test file gets its own
          // copy of one, so files run in parallel without seeing each other's rows.
          globalSetup: ['test/helpers/global-setup.ts'],
          // vitest's default is one worker less than the cores: on a two-core machine, one file at
          // a time, while most of these files spend their time waiting (for the sandbox's
          // notifications, a job's tick, a browser). Two at once; TEST_DB_WORKERS to change it.
          maxWorkers: Number(process.env.TEST_DB_WORKERS ?? 2),
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
