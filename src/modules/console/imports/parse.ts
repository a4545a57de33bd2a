// The main thread's side of the import worker: starts it, reports progress and gathers what it
// answers. On the embedded engine that is the checked rows, which the main thread then checks
// against the database and writes (parseInWorker); on PostgreSQL the worker does all of it on its
// own connection and answers only the outcome (importInWorker). A worker that dies (a crash, out
// of memory, terminated) without its final answer is an ImportWorkerFailed, never a promise that
// waits forever.
import type { Worker } from 'node:worker_threads';
import type { RowError } from '../../../domain/import-rows';
import { spawnWorker } from '../../../workers/spawn';
import type { ImportOutcome } from './kinds';
import { PackedRows } from './packed-rows';
import type { MainMessage, ParseJob, WorkerMessage, WriteJob } from './parse-protocol';

const ENTRY = new URL('./parse-worker.ts', import.meta.url);

export class ImportWorkerFailed extends Error {}

export interface ParseHooks {
  /** Rows read and checked so far. */
  onProgress?: (rows: number) => void;
  /** The worker, once started (tests end it to show a crash is handled). */
  onWorker?: (worker: Worker) => void;
}

export type ParseResult = { rows: PackedRows; fileError?: undefined } | { rows: PackedRows; fileError: string };

/** Answers of the worker other than progress; settle ends it with a value or an error. */
type Answer<T> = (m: WorkerMessage, worker: Worker, settle: (r: { value: T } | { error: Error }) => void) => void;

function follow<T>(job: ParseJob, hooks: ParseHooks, answer: Answer<T>): Promise<T> {
  // Bytes given in memory are copied into the worker once (structured clone of one typed array),
  // not turned into a string here; a file on disk is read by the worker itself.
  const worker = spawnWorker(ENTRY, job as unknown as Record<string, unknown>);
  hooks.onWorker?.(worker);
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const settle = (r: { value: T } | { error: Error }) => {
      if (settled) return;
      settled = true;
      if ('error' in r) reject(r.error);
      else resolve(r.value);
      void worker.terminate();
    };
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'progress') hooks.onProgress?.(m.rows);
      else answer(m, worker, settle);
    });
    worker.on('error', (e) => settle({ error: new ImportWorkerFailed(e.message) }));
    worker.on('exit', (code) => settle({ error: new ImportWorkerFailed(`import worker exited (code ${code}) before its answer`) }));
  });
}

export function parseInWorker(job: ParseJob, hooks: ParseHooks = {}): Promise<ParseResult> {
  const rows = new PackedRows();
  return follow<ParseResult>(job, hooks, (m, _worker, settle) => {
    if (m.type === 'batch') rows.add(m.json, m.rows);
    else if (m.type === 'done') {
      hooks.onProgress?.(m.rows);
      settle({ value: { rows } });
    } else if (m.type === 'fileError') settle({ value: { rows: new PackedRows(), fileError: m.message } });
  });
}

/** The whole import in the worker; a file error comes back as fileError, for the caller to record. */
export function importInWorker(
  job: ParseJob & { write: WriteJob }, hooks: ParseHooks & { onWriting?: () => void | Promise<void> } = {},
): Promise<{ outcome: ImportOutcome } | { fileError: string }> {
  const errors: RowError[] = [];
  return follow(job, hooks, (m, worker, settle) => {
    if (m.type === 'fileError') settle({ value: { fileError: m.message } });
    else if (m.type === 'writing') {
      void (async () => hooks.onWriting?.())().then(
        () => worker.postMessage({ type: 'write' } satisfies MainMessage),
        (e: Error) => settle({ error: e }),
      );
    } else if (m.type === 'errors') errors.push(...m.errors);
    else if (m.type === 'outcome') settle({ value: { outcome: m.outcome.status === 'rejected' ? { ...m.outcome, errors } : m.outcome } });
    else if (m.type === 'failed') settle({ error: new Error(`import failed in its worker: ${m.message}`) });
  });
}
