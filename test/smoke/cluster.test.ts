// `npm run start:cluster` (src/cluster.ts) as a real process tree: two workers on one port, the
// sandbox run once by the primary. A worker killed with SIGKILL is replaced and the port keeps
// answering; SIGTERM stops the primary and every worker.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { TEST_SECRET } from '../helpers/app';
import { startScript, waitForUp, waitUntil } from '../helpers/deploy';
import { freePort } from '../helpers/process';
import { testDatabase } from '../helpers/test-db';

const db = await testDatabase();

/**
 * The live node child processes of `pid` (the cluster's workers). Not every child: tsx may start
 * esbuild's service process beside them (seen in CI as a third child).
 */
function childrenOf(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(pid)], { encoding: 'utf8' }).split('\n')
      .map((line) => line.trim().split(/\s+/)).filter(([p, comm]) => p && comm === 'node').map(([p]) => Number(p));
  } catch {
    return []; // ps exits 1 when there are none
  }
}

describe('npm run start:cluster', () => {
  it('serves one port from two workers, replaces one killed, and stops on SIGTERM', async () => {
    const port = await freePort();
    const sandboxPort = await freePort();
    const primary = startScript('src/cluster.ts', {
      NODE_ENV: 'test', DATABASE_URL: db.url, SESSION_SECRET: TEST_SECRET, LOG_LEVEL: 'info', CLUSTER_WORKERS: '2',
      PORT: String(port), HOST: '127.0.0.1', SANDBOX_PORT: String(sandboxPort), DATA_DIR: mkdtempSync(path.join(tmpdir(), 'cupp-cluster-')),
    });
    // Stopped however the test ends: an orphaned primary would go on restarting workers.
    onTestFinished(() => primary.stop());
    const pid = primary.child.pid!;
    const ready = () => primary.output().split('\n').filter((l) => l.includes('ready on')).length;
    await waitForUp(primary, `http://127.0.0.1:${port}/healthz`, 240_000);
    await waitUntil(() => ready() >= 2, 240_000, () => primary.output());
    expect((await fetch(`http://127.0.0.1:${sandboxPort}/`)).status).toBe(200);
    const workers = childrenOf(pid);
    expect(workers).toHaveLength(2);

    process.kill(workers[0]!, 'SIGKILL');
    await waitUntil(() => ready() >= 3, 240_000, () => primary.output());
    const now = childrenOf(pid);
    expect(now).toHaveLength(2);
    expect(now).not.toContain(workers[0]);
    expect(primary.output()).toContain('worker died; starting another');
    for (let i = 0; i < 4; i++) expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);

    const exited = new Promise<number | null>((r) => primary.child.once('exit', (code) => r(code)));
    primary.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    await waitUntil(() => now.every((w) => { try { process.kill(w, 0); return false; } catch { return true; } }), 30_000, () => 'workers still running');
  }, 600_000);
});
