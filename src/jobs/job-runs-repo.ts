// SQL of the scheduler (table job_runs): who last started each job, when, and how it ended. The
// claim runs in the caller's transaction, which holds the job's row (and the advisory lock) until
// it commits, so two instances cannot both start the same slot.
import type { Knex } from 'knex';

/** Advisory lock keys are one shared 64-bit space: a fixed class id keeps ours apart. */
const LOCK_CLASS = 0x43555050; // "CUPP"

/** Takes the job's transaction-scoped advisory lock if free: false when another instance holds it. */
export async function tryJobLock(trx: Knex.Transaction, name: string): Promise<boolean> {
  const { rows } = await trx.raw('SELECT pg_try_advisory_xact_lock(?, hashtext(?)) AS ok', [LOCK_CLASS, name]);
  return !!rows[0].ok;
}

/**
 * Claims the job's slot: true (and the run recorded as started by `instance` at `now`) unless it
 * was last started after `dueBefore`. The job's row is created on its first claim.
 */
export async function claimJobRun(trx: Knex.Transaction, name: string, now: Date, dueBefore: Date, instance: string): Promise<boolean> {
  await trx('job_runs').insert({ name, last_started_at: new Date(0), last_instance: '' }).onConflict('name').ignore();
  const row = await trx('job_runs').where({ name }).forUpdate().first('last_started_at');
  if (row && new Date(row.last_started_at) > dueBefore) return false;
  await trx('job_runs').where({ name }).update({ last_started_at: now, last_instance: instance, runs: trx.raw('runs + 1') });
  return true;
}

/** How the run ended: error null when it succeeded. */
export async function finishJobRun(trx: Knex, name: string, error: string | null): Promise<void> {
  await trx('job_runs').where({ name }).update({ last_finished_at: new Date(), last_error: error });
}
