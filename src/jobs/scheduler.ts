// Runs the platform's periodic jobs (expiry, active query, e-bills, SMS, reconciliation) with one
// runner per slot across all instances: a transaction-scoped PostgreSQL advisory lock decides
// who may look, and job_runs says whether this slot already ran, so a job started on two
// instances at once runs once.
import { hostname } from 'node:os';
import type { Database } from '../db/connection';
import type { Logger } from '../logger';

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

// Advisory lock keys are one shared 64-bit space: a fixed class id keeps ours apart.
const LOCK_CLASS = 0x43555050; // "CUPP"

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
    const attempt = async (trx: typeof knex) => {
      await trx('job_runs')
        .insert({ name: job.name, last_started_at: new Date(0), last_instance: '' })
        .onConflict('name')
        .ignore();
      const row = await trx('job_runs').where({ name: job.name }).forUpdate().first('last_started_at');
      if (row && new Date(row.last_started_at) > dueBefore) return false;
      await trx('job_runs').where({ name: job.name }).update({ last_started_at: now, last_instance: instance, runs: trx.raw('runs + 1') });
      return true;
    };
    if (db.engine === 'pglite') {
      // One connection, one process: nobody to race with, and holding the only connection in a
      // lock transaction would starve the job itself.
      return knex.transaction((trx) => attempt(trx));
    }
    return knex.transaction(async (trx) => {
      const { rows } = await trx.raw('SELECT pg_try_advisory_xact_lock(?, hashtext(?)) AS ok', [LOCK_CLASS, job.name]);
      if (!rows[0].ok) return false;
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
        logger.error({ err, job: job.name }, 'job claim failed');
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
      await knex('job_runs').where({ name: job.name }).update({ last_finished_at: new Date(), last_error: error });
    }
    return ran;
  }

  return {
    tick,
    start(pollMs = 5_000) {
      const loop = () => {
        running = tick().finally(() => {
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
