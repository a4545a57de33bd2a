// The main thread's side of the import worker: starts it, gathers its batches of checked rows and
// reports progress. A worker that dies (a crash, out of memory, terminated) without its final
// answer is an ImportWorkerFailed, never a promise that waits forever.
import type { Worker } from 'node:worker_threads';
import { spawnWorker } from '../../../workers/spawn';
import { PackedRows } from './packed-rows';
import type { ParseJob, WorkerMessage } from './parse-protocol';

const ENTRY = new URL('./parse-worker.ts', import.meta.url);

export class ImportWorkerFailed extends Error {}

export interface ParseHooks {
  /** Rows read and checked so far. */
  onProgress?: (rows: number) => void;
  /** The worker, once started (tests end it to show a crash is handled). */
  onWorker?: (worker: Worker) => void;
}

export type ParseResult = { rows: PackedRows; fileError?: undefined } | { rows: PackedRows; fileError: string };

export function parseInWorker(job: ParseJob, hooks: ParseHooks = {}): Promise<ParseResult> {
  // Bytes given in memory are copied into the worker once (structured clone of one typed array),
  // not turned into a string here; a file on disk is read by the worker itself.
  const worker = spawnWorker(ENTRY, job as unknown as Record<string, unknown>);
  hooks.onWorker?.(worker);
  const rows = new PackedRows();
  return new Promise<ParseResult>((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      fn();
      void worker.terminate();
    };
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'batch') {
        rows.add(m.json, m.rows);
      } else if (m.type === 'progress') hooks.onProgress?.(m.rows);
      else if (m.type === 'done') {
        hooks.onProgress?.(m.rows);
        settle(() => resolve({ rows }));
      } else settle(() => resolve({ rows: new PackedRows(), fileError: m.message }));
    });
    worker.on('error', (e) => settle(() => reject(new ImportWorkerFailed(e.message))));
    worker.on('exit', (code) => settle(() => reject(new ImportWorkerFailed(`import worker exited (code ${code}) before its answer`))));
  });
}
