// CSV import of people (学号, 姓名, 性别, 身份证号, 学院, 班级, 手机) and bills (学号, 收费期间,
// 收费项目, 应收金额), shared by the console page and the CLI. All or nothing: every row is checked
// first, and a file with any bad row writes nothing but an error report naming each row and why.
// Re-importing a file changes nothing: people are upserted only where a field differs, bills are
// keyed by person × period × item and a changed amount becomes an adjustment ledger entry.
// Students get no password hash (the initial password is derived), so 30,000 rows cost no bcrypt.
// The file is read, parsed and checked in a worker thread (parse-worker.ts). On PostgreSQL the
// same worker also checks against the database and writes, on its own connection (write-worker.ts),
// so the thread that answers requests only reports progress; on the embedded engine, whose one
// connection lives on the main thread, the main thread does the database phase (apply.ts).
import type { Knex } from 'knex';
import type { AuditRepo } from '../../audit/repo';
import { applyBills, applyPeople, rejectImport, type ApplyContext, type ImportOutcome } from './apply';
import type { ImportKind } from './kinds';
import { importInWorker, parseInWorker, type ParseHooks } from './parse';
import type { PackedRows } from './packed-rows';
import type { ParseJob, ParseSource, WriteJob } from './parse-protocol';
import { collegeNames, importRuns, itemNames, periodNames, rejectedRun } from './repo';

export type { ImportKind } from './kinds';
export { errorReport, type ImportOutcome } from './apply';

export const MAX_ROWS = 200_000;

export interface ImportProgress extends ParseHooks {
  /** The database phase begins: the file is read and every row checked (awaited: a test may hold it here). */
  onWriting?: () => void | Promise<void>;
}

/** The file is given as its bytes (CLI, tests) or as the path of the upload on disk (the console page). */
export interface ImportRequest {
  bytes?: Uint8Array;
  path?: string;
  fileName: string;
  actorAccountId: number | null;
  ip?: string;
  progress?: ImportProgress;
}

const sourceOf = (input: ImportRequest): ParseSource => {
  if (input.path !== undefined) return { path: input.path };
  if (input.bytes !== undefined) return { bytes: input.bytes };
  throw new TypeError('an import needs bytes or a path');
};

/** Where a worker reaches the same PostgreSQL database; none on the embedded engine. */
function databaseUrlOf(db: Knex): string | undefined {
  const config = db.client.config as Knex.Config;
  return config.client === 'pg' && typeof config.connection === 'string' ? config.connection : undefined;
}

export function importsService(deps: { db: Knex; audit: AuditRepo }) {
  const { db, audit } = deps;
  const databaseUrl = databaseUrlOf(db);

  /**
   * Parses in the worker, then checks against the database and writes: in the worker when it can
   * reach the database, else here with `apply` over the rows it sent. `known` holds [name, id] of
   * the existing colleges, periods and items the rows are checked against.
   */
  const run = async (
    kind: ImportKind, input: ImportRequest & { reason?: string }, known: Pick<WriteJob, 'colleges' | 'periods' | 'items'>,
    apply: (rows: PackedRows, ctx: ApplyContext) => Promise<ImportOutcome>,
  ): Promise<ImportOutcome> => {
    const who = { fileName: input.fileName, actorAccountId: input.actorAccountId, ip: input.ip ?? '', ...(input.reason !== undefined ? { reason: input.reason } : {}) };
    const ctx: ApplyContext = { ...who, ...(input.progress?.onWriting ? { onWriting: input.progress.onWriting } : {}) };
    const names = (pairs: [string, number][]) => pairs.map(([name]) => name);
    const job: ParseJob = { kind, source: sourceOf(input), colleges: names(known.colleges), periods: names(known.periods), items: names(known.items), maxRows: MAX_ROWS };
    const fileError = (message: string) => rejectImport(db, audit, kind, ctx, 0, [{ line: 1, number: '', reasons: [message] }]);
    if (databaseUrl !== undefined) {
      const done = await importInWorker({ ...job, write: { databaseUrl, ...known, ...who } }, input.progress);
      return 'fileError' in done ? fileError(done.fileError) : done.outcome;
    }
    const parsed = await parseInWorker(job, input.progress);
    return parsed.fileError !== undefined ? fileError(parsed.fileError) : apply(parsed.rows, ctx);
  };

  return {
    async importPeople(input: ImportRequest): Promise<ImportOutcome> {
      const colleges = new Map<string, number>((await collegeNames(db)).map((c) => [c.name, c.id]));
      return run('people', input, { colleges: [...colleges], periods: [], items: [] }, (rows, ctx) => applyPeople(db, audit, rows, colleges, ctx));
    },

    async importBills(input: ImportRequest & { reason?: string }): Promise<ImportOutcome> {
      const [periodRows, itemRows] = await Promise.all([periodNames(db), itemNames(db)]);
      const periods = new Map<string, number>(periodRows.map((p) => [p.name, p.id]));
      const items = new Map<string, number>(itemRows.map((p) => [p.name, p.id]));
      return run('bills', input, { colleges: [], periods: [...periods], items: [...items] }, (rows, ctx) => applyBills(db, audit, rows, { periods, items }, ctx));
    },

    runs: (limit = 20) => importRuns(db, limit),

    report: (id: number) => rejectedRun(db, id),
  };
}

export type ImportsService = ReturnType<typeof importsService>;
