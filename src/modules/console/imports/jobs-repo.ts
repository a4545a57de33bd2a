// SQL for import jobs. Every change of state is a compare-and-set on the states it may leave,
// so a job that was already ended (by its runner, or seen as stale by another instance) stays so.
import type { Knex } from 'knex';
import type { ImportKind } from './kinds';

export type JobState = 'parsing' | 'writing' | 'done' | 'failed';

export interface ImportJob {
  id: number;
  kind: ImportKind;
  fileName: string;
  state: JobState;
  rowsDone: number;
  runId: number | null;
  outcome: unknown;
  message: string | null;
  createdAt: Date;
}

const RUNNING = ['parsing', 'writing'] as const;
/** A running job whose heartbeat is older than this belongs to an instance that is gone. */
export const STALE_SECONDS = 60;

const columns = ['id', 'kind', 'file_name as fileName', 'state', 'rows_done as rowsDone', 'run_id as runId', 'outcome', 'message', 'created_at as createdAt'];
const toJob = (r: Record<string, any>): ImportJob => ({ ...(r as ImportJob), id: Number(r.id), runId: r.runId === null ? null : Number(r.runId) });

export function importJobsRepo(db: Knex) {
  const running = () => db('import_jobs').whereIn('state', RUNNING);
  return {
    async create(kind: ImportKind, fileName: string, actorAccountId: number | null): Promise<number> {
      const [row] = await db('import_jobs').insert({ kind, file_name: fileName.slice(0, 200), state: 'parsing', actor_account_id: actorAccountId }).returning('id');
      return Number(row.id);
    },

    /** Progress and heartbeat in one: rows read so far, and the phase. */
    async progress(id: number, state: 'parsing' | 'writing', rowsDone: number): Promise<void> {
      await running().where({ id }).update({ state, rows_done: rowsDone, updated_at: db.fn.now() });
    },

    async finish(id: number, runId: number, outcome: unknown): Promise<boolean> {
      return (await running().where({ id }).update({ state: 'done', run_id: runId, outcome: JSON.stringify(outcome), updated_at: db.fn.now() })) > 0;
    },

    async fail(id: number, message: string): Promise<boolean> {
      return (await running().where({ id }).update({ state: 'failed', message: message.slice(0, 500), updated_at: db.fn.now() })) > 0;
    },

    /** Ends the jobs of an instance that stopped mid-import (its transaction rolled back with it). */
    async failStale(message: string): Promise<void> {
      await running().where('updated_at', '<', db.raw(`now() - interval '${STALE_SECONDS} seconds'`)).update({ state: 'failed', message, updated_at: db.fn.now() });
    },

    async get(id: number): Promise<ImportJob | undefined> {
      const row = await db('import_jobs').where({ id }).first(columns);
      return row ? toJob(row) : undefined;
    },

    async running(): Promise<ImportJob[]> {
      return (await running().orderBy('id', 'desc').limit(20).select(columns)).map(toJob);
    },
  };
}

export type ImportJobsRepo = ReturnType<typeof importJobsRepo>;
