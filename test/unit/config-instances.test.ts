// The settings of several instances: an instance using a sandbox run on its own, and the
// cluster launcher's worker count.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';

const env = (e: Record<string, string> = {}) => loadConfig({ DATA_DIR: mkdtempSync(path.join(tmpdir(), 'cupp-cfg-')), ...e });

describe('several instances', () => {
  it('runs its own sandbox unless SANDBOX_EXTERNAL says another process does, at SANDBOX_URL', () => {
    expect(env().sandbox).toMatchObject({ enabled: true, external: false });
    const c = env({ SANDBOX_EXTERNAL: '1', SANDBOX_URL: 'http://127.0.0.1:4100/' });
    expect(c.sandbox).toMatchObject({ enabled: true, external: true, url: 'http://127.0.0.1:4100' });
    expect(c.nontax.url).toBe('http://127.0.0.1:4100/nontax');
  });

  it('takes CLUSTER_WORKERS as a count from 1, unset meaning one per core', () => {
    expect(env().clusterWorkers).toBeUndefined();
    expect(env({ CLUSTER_WORKERS: '3' }).clusterWorkers).toBe(3);
    for (const bad of ['0', 'two', '1.5']) expect(() => env({ CLUSTER_WORKERS: bad }), bad).toThrow(/^配置错误 CLUSTER_WORKERS: /);
    expect(() => env({ SANDBOX_EXTERNAL: 'maybe' })).toThrow(/^配置错误 SANDBOX_EXTERNAL: /);
  });
});
