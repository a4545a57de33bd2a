// `npm run start:cluster`: several instances of the platform on one machine, one per core
// (CLUSTER_WORKERS), sharing PORT through Node's cluster module. Each worker is an ordinary
// src/server.ts process: the session store, the sign-in throttle, the order serials and the
// jobs' claims are in PostgreSQL, so any worker serves any request. This primary migrates (and
// seeds, when asked) once before forking, runs the sandbox once when it is on (every worker uses
// it, SANDBOX_EXTERNAL), and forks a new worker in place of one that dies, waiting longer each
// time one dies young so a worker that cannot start does not spin.
import cluster, { type Worker } from 'node:cluster';
import type { Server } from 'node:http';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { openDatabase } from './bootstrap';
import { loadConfigOrExit } from './config';
import { createLogger } from './logger';

/** A worker that dies sooner than this after its start counts as dying young. */
const YOUNG_MS = 10_000;
const MAX_BACKOFF_MS = 30_000;
const STOP_GRACE_MS = 30_000;

async function main() {
  const config = loadConfigOrExit();
  const logger = createLogger(config.logLevel);
  if (!config.databaseUrl) {
    console.error('配置错误 DATABASE_URL: several instances need a PostgreSQL server (the embedded database serves one process)');
    process.exit(2);
  }
  const db = await openDatabase(config);
  await db.close();

  let sandbox: Server | undefined;
  if (config.sandbox.enabled && !config.sandbox.external) {
    const { startSandbox } = await import('./sandbox/server');
    sandbox = await startSandbox({ config, logger });
  }

  const count = config.clusterWorkers ?? availableParallelism();
  // The workers run server.ts itself; migrations and demo data are done, the sandbox is ours.
  cluster.setupPrimary({ exec: fileURLToPath(new URL('./server.ts', import.meta.url)) });
  const workerEnv = { SANDBOX_EXTERNAL: '1', SEED_DEMO: '0' };
  const started = new Map<number, number>();
  let young = 0;
  let stopping = false;

  const fork = () => {
    const w = cluster.fork(workerEnv);
    started.set(w.id, Date.now());
  };
  cluster.on('exit', (w: Worker, code, signal) => {
    const lived = Date.now() - (started.get(w.id) ?? 0);
    started.delete(w.id);
    if (stopping) return;
    young = lived < YOUNG_MS ? young + 1 : 0;
    const wait = young ? Math.min(MAX_BACKOFF_MS, 500 * 2 ** (young - 1)) : 0;
    logger.error({ pid: w.process.pid, code, signal, livedMs: lived, restartInMs: wait }, 'worker died; starting another');
    setTimeout(() => { if (!stopping) fork(); }, wait).unref();
  });
  for (let i = 0; i < count; i++) fork();
  logger.info({ workers: count, port: config.port }, 'cluster started');

  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'cluster shutting down');
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w);
    const kill = setTimeout(() => workers.forEach((w) => w.process.kill('SIGKILL')), STOP_GRACE_MS);
    // Each worker finishes its jobs and requests on SIGTERM (server.ts), then exits.
    await Promise.all(workers.map((w) => new Promise<void>((resolve) => {
      if (w.isDead()) return resolve();
      w.once('exit', () => resolve());
      w.process.kill('SIGTERM');
    })));
    clearTimeout(kill);
    if (sandbox) await new Promise((r) => { sandbox.closeAllConnections(); sandbox.close(r); });
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
