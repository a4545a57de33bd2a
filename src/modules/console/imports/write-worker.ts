// The import worker's database phase on PostgreSQL: the checked rows never leave the worker. It
// opens one connection of its own (not one of the app's pool, which the requests share), checks
// against the database and writes in one transaction (apply.ts), then hands the main thread only
// the outcome. The main thread, which answers every request, then spends nothing on the rows:
// before, it parsed each batch again twice and built every query while requests waited.
// A worker that dies closes its connection, and PostgreSQL rolls the transaction back.
import { parentPort } from 'node:worker_threads';
import type { RowError } from '../../../domain/import-rows';
import { connect } from '../../../db/connection';
import { auditRepo } from '../../audit/repo';
import { applyBills, applyPeople, type ApplyContext, type ImportOutcome } from './apply';
import type { PackedRows } from './packed-rows';
import { ERRORS_PER_MESSAGE, type MainMessage, type ParseJob, type WorkerMessage, type WriteJob } from './parse-protocol';

const send = (m: WorkerMessage) => parentPort!.postMessage(m);

/** Resolves when the main thread says to write (after its own hooks, which a test may hold). */
const goAhead = () => new Promise<void>((resolve) => {
  const onMessage = (m: MainMessage) => {
    if (m.type !== 'write') return;
    parentPort!.off('message', onMessage);
    resolve();
  };
  parentPort!.on('message', onMessage);
});

/** A refused file's errors go in chunks: one message of 200,000 would be one long copy on the main thread. */
function sendOutcome(outcome: ImportOutcome): void {
  if (outcome.status === 'imported') return send({ type: 'outcome', outcome });
  const errors: RowError[] = outcome.errors;
  for (let i = 0; i < errors.length; i += ERRORS_PER_MESSAGE) send({ type: 'errors', errors: errors.slice(i, i + ERRORS_PER_MESSAGE) });
  send({ type: 'outcome', outcome: { ...outcome, errors: [] } });
}

/** Sent only after the connection is closed: the main thread ends the worker on the outcome. */
export async function writeInWorker(job: ParseJob & { write: WriteJob }, rows: PackedRows): Promise<void> {
  const w = job.write;
  const db = await connect({ databaseUrl: w.databaseUrl, poolMax: 1 });
  let outcome: ImportOutcome;
  try {
    const audit = auditRepo(db.knex);
    const ctx: ApplyContext = {
      fileName: w.fileName, actorAccountId: w.actorAccountId, ip: w.ip, ...(w.reason !== undefined ? { reason: w.reason } : {}),
      onWriting: () => {
        const go = goAhead();
        send({ type: 'writing' });
        return go;
      },
    };
    outcome = job.kind === 'people'
      ? await applyPeople(db.knex, audit, rows, new Map(w.colleges), ctx)
      : await applyBills(db.knex, audit, rows, { periods: new Map(w.periods), items: new Map(w.items) }, ctx);
  } catch (e) {
    await db.close();
    return send({ type: 'failed', message: (e as Error).message.slice(0, 500) });
  }
  await db.close();
  sendOutcome(outcome);
}
