// Runs the platform's periodic jobs (expiry, active query, e-bills, SMS, reconciliation) with one
// runner per slot across all instances: a transaction-scoped PostgreSQL advisory lock decides
// who may look, and job_runs says whether this slot already ran, so a job started on two
// instances at once runs once.
import { hostname } from 'node:os';
import type { Knex } from 'knex';
import type { Database } from '../db/connection';
import { isDatabaseUnavailable } from '../db/unavailable';
import type { Logger } from '../logger';
import { claimJobRun, finishJobRun, tryJobLock } from './job-runs-repo';

export interface Job {
  name: string;
  /** How often the job should run. */
  everyMs: number;
  run(): Promise<void>;
}

export interface Scheduler {
  /** One pass over the jobs that are due; resolves to the names of the jobs this instance ran. */
  tick(now?: Date): Promise<string[]>;
  start(pollMs?: number): void;
  stop(): Promise<void>;
}

export function createScheduler(deps: { db: Database; jobs: Job[]; logger: Logger; instance?: string }): Scheduler {
  const { db, jobs, logger } = deps;
  const knex = db.knex;
  const instance = deps.instance ?? `${hostname()}:${process.pid}`;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;

  /** Claims the slot of a job: true when this instance should run it now. */
  async function claim(job: Job, now: Date): Promise<boolean> {
    const dueBefore = new Date(now.getTime() - job.everyMs + 50);
    const attempt = (trx: Knex.Transaction) => claimJobRun(trx, job.name, now, dueBefore, instance);
    if (db.engine === 'pglite') {
      // One connection, one process: nobody to race with, and holding the only connection in a
      // lock transaction would starve the job itself.
      return knex.transaction((trx) => attempt(trx));
    }
    return knex.transaction(async (trx) => {
      if (!(await tryJobLock(trx, job.name))) return false;
      return attempt(trx);
    });
  }

  async function tick(now = new Date()): Promise<string[]> {
    const ran: string[] = [];
    for (const job of jobs) {
      if (stopped) break;
      let mine = false;
      try {
        mine = await claim(job, now);
      } catch (err) {
        // The database restarting is no fault of the job: the next poll claims it again.
        if (isDatabaseUnavailable(err)) logger.warn({ reason: String(err), job: job.name }, 'job not claimed: database unavailable');
        else logger.error({ err, job: job.name }, 'job claim failed');
        continue;
      }
      if (!mine) continue;
      ran.push(job.name);
      let error: string | null = null;
      try {
        await job.run();
      } catch (err) {
        error = err instanceof Error ? err.message : String(err);
        logger.error({ err, job: job.name }, 'job failed');
      }
      try {
        await finishJobRun(knex, job.name, error);
      } catch (err) {
        // The database went away after the job: its slot stays claimed and the next one runs as
        // usual. Thrown on, it would have rejected the poll loop's promise, which nobody awaits,
        // and an unhandled rejection ends the process.
        logger.error({ err, job: job.name }, 'job run not recorded');
      }
    }
    return ran;
  }

  return {
    tick,
    start(pollMs = 5_000) {
      const loop = () => {
        running = tick().catch((err: unknown) => logger.error({ err }, 'scheduler tick failed')).finally(() => {
          if (!stopped) timer = setTimeout(loop, pollMs);
        });
      };
      timer = setTimeout(loop, pollMs);
      timer.unref?.();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running.catch(() => undefined);
    },
  };
}
