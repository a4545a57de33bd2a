// Starts a TypeScript module as a worker thread, the same way under tsx, vitest and the CLI:
// through boot.mjs, which loads tsx in the worker before importing the module.
import { Worker } from 'node:worker_threads';

const BOOT = new URL('./boot.mjs', import.meta.url);

/**
 * The nice value of every worker thread (Linux): parsing and drawing take what the request
 * thread leaves, so on a two-core server the pages stay quick while a worker is busy.
 */
export const WORKER_NICE = 19;

/** entry: the worker module's URL (new URL('./x-worker.ts', import.meta.url)). */
export function spawnWorker(entry: URL, data: Record<string, unknown> = {}, transferList: Transferable[] = []): Worker {
  return new Worker(BOOT, { workerData: { ...data, entry: entry.href, nice: WORKER_NICE }, transferList: transferList as never });
}
