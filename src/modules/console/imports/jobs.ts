// An upload from the import page becomes a job that runs in the background: the request answers
// at once with the job's page, which shows 导入进度 and refreshes until the job ends. State and
// progress are rows in PostgreSQL, so any instance shows them; the runner beats a heartbeat, and a
// job whose instance stopped is ended with a message rather than left running for ever.
import { unlink } from 'node:fs/promises';
import type { Worker } from 'node:worker_threads';
import type { Logger } from '../../../logger';
import type { ImportKind } from './kinds';
import { ImportWorkerFailed } from './parse';
import type { ImportOutcome, ImportsService } from './service';
import type { ImportJobsRepo } from './jobs-repo';

export const MESSAGES = {
  crashed: '导入进程意外中止，本次没有导入任何数据，请重新导入',
  failed: '导入时发生系统错误，本次没有导入任何数据，请稍后重新导入',
  stale: '导入已中断（服务重启或停止），本次没有导入任何数据，请重新导入',
};

const HEARTBEAT_MS = 10_000;
/** Progress is written at most this often: a row update per 2,000 rows would be noise. */
const PROGRESS_MS = 300;
/** The errors a finished job keeps for its page; the full list is the run's error report. */
const SHOWN_ERRORS = 50;

export interface ImportJobHooks {
  onWorker?: (worker: Worker) => void;
  /** Awaited once the file is checked, before anything is written (tests hold a job here). */
  beforeWrite?: () => Promise<void>;
}

export interface JobFile {
  path: string;
  fileName: string;
  actorAccountId: number | null;
  ip: string;
}

/** What the job's page shows: the outcome, with only the first errors. */
export function shownOutcome(o: ImportOutcome) {
  return o.status === 'imported' ? o : { ...o, errors: o.errors.slice(0, SHOWN_ERRORS), errorCount: o.errors.length };
}

/** 贷款放款 files are imported by the deferrals module, through the same jobs. */
export interface LoanImporter {
  importLoans(input: Parameters<ImportsService['importBills']>[0]): Promise<ImportOutcome>;
}

export function importJobs(deps: { repo: ImportJobsRepo; imports: ImportsService; loans?: LoanImporter; logger?: Logger; hooks?: ImportJobHooks }) {
  const { repo, imports, hooks = {} } = deps;
  const runs = new Map<number, Promise<void>>();
  const loansImporter = () => {
    if (!deps.loans) throw new Error('loan imports are not wired');
    return deps.loans;
  };

  async function run(id: number, kind: ImportKind, file: JobFile): Promise<void> {
    let rows = 0;
    let state: 'parsing' | 'writing' = 'parsing';
    let last = 0;
    let chain: Promise<void> = Promise.resolve();
    // One write at a time, in order, so a late heartbeat never overwrites newer progress.
    const beat = () => {
      chain = chain.then(() => repo.progress(id, state, rows)).catch((err) => deps.logger?.warn({ err, job: id }, 'import progress not saved'));
    };
    const timer = setInterval(beat, HEARTBEAT_MS);
    timer.unref();
    try {
      const progress = {
        onWorker: hooks.onWorker,
        onProgress: (n: number) => {
          rows = n;
          if (Date.now() - last >= PROGRESS_MS) {
            last = Date.now();
            beat();
          }
        },
        onWriting: async () => {
          state = 'writing';
          beat();
          await chain;
          await hooks.beforeWrite?.();
        },
      };
      const input = { path: file.path, fileName: file.fileName, actorAccountId: file.actorAccountId, ip: file.ip, progress };
      const outcome = kind === 'people' ? await imports.importPeople(input)
        : kind === 'loans' ? await loansImporter().importLoans(input) : await imports.importBills(input);
      clearInterval(timer);
      await chain;
      await repo.finish(id, outcome.runId, shownOutcome(outcome));
    } catch (err) {
      clearInterval(timer);
      await chain;
      deps.logger?.error({ err, job: id }, 'import job failed');
      await repo.fail(id, err instanceof ImportWorkerFailed ? MESSAGES.crashed : MESSAGES.failed).catch((e) => deps.logger?.error({ err: e, job: id }, 'import job end not saved'));
    } finally {
      await unlink(file.path).catch(() => undefined);
    }
  }

  return {
    /** Records the job and starts it; the upload at file.path is removed when the job ends. */
    async start(kind: ImportKind, file: JobFile): Promise<number> {
      const id = await repo.create(kind, file.fileName, file.actorAccountId);
      const p = run(id, kind, file).finally(() => runs.delete(id));
      runs.set(id, p);
      return id;
    },

    async get(id: number) {
      await repo.failStale(MESSAGES.stale);
      return repo.get(id);
    },

    async running() {
      await repo.failStale(MESSAGES.stale);
      return repo.running();
    },

    /** Resolves when a job this instance runs has ended (at once for any other). */
    settled: (id: number): Promise<void> => runs.get(id) ?? Promise.resolve(),
  };
}

export type ImportJobs = ReturnType<typeof importJobs>;
