// The sandbox's first start takes the key pairs server.ts had made ahead on the thread pool: as
// many as it needs and no more (one made ahead beyond that is still waiting afterwards, so none
// was made on the main thread in its place); a later start takes one.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { FIRST_START_KEY_PAIRS, keyPairsNeeded, keyPairsWaiting, prepareKeyPairs, sandboxKeyDir } from '../../src/sandbox/keys';
import { createSandboxApp } from '../../src/sandbox/server';
import { testConfig } from '../helpers/app';

const dir = mkdtempSync(path.join(tmpdir(), 'cupp-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('a first sandbox start takes exactly the pairs made ahead for it, a restart one', async () => {
  const config = testConfig({ url: 'postgres://unused@127.0.0.1:5432/unused' }, { DATA_DIR: dir });
  const keyDir = sandboxKeyDir(config.dataDir);

  expect(keyPairsNeeded(keyDir)).toBe(FIRST_START_KEY_PAIRS);
  await prepareKeyPairs(keyPairsNeeded(keyDir) + 1);
  createSandboxApp({ config }).stop();
  expect(keyPairsWaiting()).toBe(1);

  expect(keyPairsNeeded(keyDir)).toBe(1);
  await prepareKeyPairs(keyPairsNeeded(keyDir));
  createSandboxApp({ config }).stop();
  expect(keyPairsWaiting()).toBe(1);
});
