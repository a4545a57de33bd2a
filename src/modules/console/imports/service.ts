// CSV import of people (学号, 姓名, 性别, 身份证号, 学院, 班级, 手机) and bills (学号, 收费期间,
// 收费项目, 应收金额), shared by the console page and the CLI. All or nothing: every row is checked
// first, and a file with any bad row writes nothing but an error report naming each row and why.
// Re-importing a file changes nothing: people are upserted only where a field differs, bills are
// keyed by person × period × item and a changed amount becomes an adjustment ledger entry.
// Students get no password hash (the initial password is derived), so 30,000 rows cost no bcrypt.
// The file is read, parsed and checked in a worker thread (parse-worker.ts); the database checks
// and writes stay here, in the same all-or-nothing transaction as before.
import type { Knex } from 'knex';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { BOM, csvLine, toCsv } from '../../../domain/csv';
import type { BillRow, PersonRow, RowError } from '../../../domain/import-rows';
import { Decimal } from '../../../domain/money';
import type { AuditRepo } from '../../audit/repo';
import { applyCharges } from '../../billing/batch-repo';
import type { ImportKind } from './kinds';
import { parseInWorker, type ParseHooks } from './parse';
import type { ParseSource } from './parse-protocol';
import {
  collegeNames, ensureClasses, importRuns, insertImportRun, itemNames, nonStudentNumbers, peopleByNumber, periodNames, rejectedRun, upsertStudents,
} from './repo';

export type { ImportKind } from './kinds';

export type ImportOutcome =
  | { status: 'imported'; runId: number; rows: number; summary: Record<string, number> }
  | { status: 'rejected'; runId: number; rows: number; errors: RowError[] };

export const MAX_ROWS = 200_000;
const PEOPLE_CHUNK = 1000;
/** Rows looked up at once: one query, and the main thread's work between two turns, stay short. */
const LOOKUP_CHUNK = 1000;
/** Rows the main thread looks at between two turns of the event loop, so requests keep flowing. */
const TURN_ROWS = 5000;


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

const REPORT_HEADER = ['行号', '学号', '错误原因'];
const reportRow = (e: RowError) => [String(e.line), e.number, e.reasons.join('；')];

export function errorReport(errors: RowError[]): string {
  return toCsv(REPORT_HEADER, errors.map(reportRow));
}

/** errorReport, built in turns: a file of 200,000 bad rows must not hold the main thread either. */
async function errorReportInTurns(errors: RowError[]): Promise<string> {
  const lines = [BOM + csvLine(REPORT_HEADER)];
  await eachInTurns(errors, (e) => void lines.push(csvLine(reportRow(e))));
  return lines.join('');
}

export function importsService(deps: { db: Knex; audit: AuditRepo }) {
  const { db, audit } = deps;

  const reject = async (kind: ImportKind, fileName: string, actorAccountId: number | null, rows: number, errors: RowError[], ip: string): Promise<ImportOutcome> => {
    const id = await insertImportRun(db, {
      kind, fileName, status: 'rejected', rows, errorCount: errors.length, errorReport: await errorReportInTurns(errors), actorAccountId,
    });
    await audit.record({ actorAccountId, action: `import.${kind}.rejected`, detail: { runId: id, fileName, rows, errors: errors.length }, ip });
    return { status: 'rejected', runId: Number(id), rows, errors };
  };

  const finish = async (trx: Knex, kind: ImportKind, fileName: string, actorAccountId: number | null, rows: number, summary: Record<string, number>, ip: string): Promise<ImportOutcome> => {
    const id = await insertImportRun(trx, { kind, fileName, status: 'imported', rows, summary, actorAccountId });
    await audit.record({ actorAccountId, action: `import.${kind}`, detail: { runId: id, fileName, rows, ...summary }, ip }, trx);
    return { status: 'imported', runId: Number(id), rows, summary };
  };

  return {
    async importPeople(input: ImportRequest): Promise<ImportOutcome> {
      const ip = input.ip ?? '';
      const colleges = new Map<string, number>((await collegeNames(db)).map((c) => [c.name, c.id]));
      const parsed = await parseInWorker({ kind: 'people', source: sourceOf(input), colleges: [...colleges.keys()], periods: [], items: [], maxRows: MAX_ROWS }, input.progress);
      if (parsed.fileError !== undefined) return reject('people', input.fileName, input.actorAccountId, 0, [{ line: 1, number: '', reasons: [parsed.fileError] }], ip);

      // The worker checked each row and the duplicates within the file; what needs the database is
      // here, a chunk at a time. The rows stay packed (packed-rows.ts): read once to check, once to write.
      const errors: RowError[] = [];
      const classPairs = new Set<string>();
      for await (const chunk of parsed.rows.chunks(LOOKUP_CHUNK)) {
        const ok: { line: number; person: PersonRow }[] = [];
        for (const { line, number, reasons, row } of chunk) {
          if (reasons.length || !row) errors.push({ line, number, reasons });
          else ok.push({ line, person: row as unknown as PersonRow });
        }
        if (!ok.length) continue;
        // A 学号 that belongs to staff or a finance account must not be turned into a student.
        const clash = new Set(await nonStudentNumbers(db, ok.map((g) => g.person.number)));
        for (const { line, person } of ok) {
          if (clash.has(person.number)) errors.push({ line, number: person.number, reasons: ['该学号已被教职工或校外人员使用'] });
          else classPairs.add(`${colleges.get(person.college)}\u0000${person.className}`);
        }
      }
      if (errors.length) return reject('people', input.fileName, input.actorAccountId, parsed.rows.length, errors.sort((a, b) => a.line - b.line), ip);

      await input.progress?.onWriting?.();
      const total = parsed.rows.length;
      return db.transaction(async (trx) => {
        // Classes are created on demand inside an existing college (a new intake brings new classes).
        const pairs = [...classPairs].map((p) => p.split('\u0000'));
        const classes = new Map<string, number>((await ensureClasses(trx, pairs.map(([c, k]) => ({ college_id: Number(c), name: k! })))).map((k) => [`${k.college_id}\u0000${k.name}`, k.id]));

        let inserted = 0;
        let updated = 0;
        for await (const checked of parsed.rows.chunks(PEOPLE_CHUNK)) {
          const chunk = checked.map(({ row }) => {
            const g = row as unknown as PersonRow;
            const collegeId = colleges.get(g.college)!;
            return { number: g.number, name: g.name, gender: g.gender, id_number: g.idNumber, college_id: collegeId, class_id: classes.get(`${collegeId}\u0000${g.className}`)!, mobile: g.mobile };
          });
          // Only rows that really differ are updated (and returned), so a re-import touches nothing;
          // an empty 手机 keeps the number the person already gave.
          const rows = await upsertStudents(trx, chunk);
          for (const r of rows) if (r.inserted) inserted++; else updated++;
        }
        const summary = { inserted, updated, unchanged: total - inserted - updated };
        return finish(trx, 'people', input.fileName, input.actorAccountId, total, summary, ip);
      });
    },

    async importBills(input: ImportRequest & { reason?: string }): Promise<ImportOutcome> {
      const ip = input.ip ?? '';
      const [periodRows, itemRows] = await Promise.all([periodNames(db), itemNames(db)]);
      const periods = new Map<string, number>(periodRows.map((p) => [p.name, p.id]));
      const items = new Map<string, number>(itemRows.map((p) => [p.name, p.id]));
      const parsed = await parseInWorker({ kind: 'bills', source: sourceOf(input), colleges: [], periods: [...periods.keys()], items: [...items.keys()], maxRows: MAX_ROWS }, input.progress);
      if (parsed.fileError !== undefined) return reject('bills', input.fileName, input.actorAccountId, 0, [{ line: 1, number: '', reasons: [parsed.fileError] }], ip);

      const numberSet = new Set<string>();
      for await (const chunk of parsed.rows.chunks(LOOKUP_CHUNK)) for (const r of chunk) if (r.number) numberSet.add(r.number);
      const numbers = [...numberSet];
      const people = new Map<string, number>();
      for (let i = 0; i < numbers.length; i += LOOKUP_CHUNK) {
        for (const p of await peopleByNumber(db, numbers.slice(i, i + LOOKUP_CHUNK))) people.set(p.number, p.id);
      }

      // The worker checked everything but whether the 学号 exists; that is the first check of a
      // row (checkBillRow's order), and a row with any error takes no part in the duplicate check.
      const errors: RowError[] = [];
      const good: (BillRow & { line: number })[] = [];
      const seen = new Map<string, number>();
      for await (const chunk of parsed.rows.chunks(LOOKUP_CHUNK)) for (const { line, number, reasons, row: checked } of chunk) {
        let row = checked;
        if (number && !people.has(number)) {
          reasons.unshift(`学号“${number}”不存在`);
          row = undefined;
        }
        if (row) {
          const key = `${row.number}\u0000${row.period}\u0000${row.item}`;
          const first = seen.get(key);
          if (first !== undefined) reasons.push(`与第${first}行重复（同一学号、收费期间、收费项目）`);
          else seen.set(key, line);
        }
        if (reasons.length || !row) errors.push({ line, number, reasons });
        else good.push({ number: row.number!, period: row.period!, item: row.item!, due: new Decimal(row.due!), line });
      }
      if (errors.length) return reject('bills', input.fileName, input.actorAccountId, parsed.rows.length, errors, ip);

      await input.progress?.onWriting?.();
      const charges = good.map((g) => ({ personId: people.get(g.number)!, periodId: periods.get(g.period)!, feeItemId: items.get(g.item)!, due: g.due, line: g.line }));
      const byLine = new Map(good.map((g) => [g.line, g]));
      try {
        return await db.transaction(async (trx) => {
          const result = await applyCharges(trx, charges, { actorAccountId: input.actorAccountId, reason: input.reason ?? `导入应收 ${input.fileName}`.slice(0, 200), onExisting: 'adjust' });
          if (result.conflicts.length) {
            throw new Conflicts(result.conflicts.map((c) => ({
              line: c.charge.line!, number: byLine.get(c.charge.line!)!.number,
              reasons: [`应收金额 ${c.charge.due.toFixed(2)} 低于该账单已减免的 ${c.reduction.toFixed(2)} 元`],
            })));
          }
          const summary = { created: result.created, adjusted: result.adjusted, unchanged: result.unchanged };
          return finish(trx, 'bills', input.fileName, input.actorAccountId, good.length, summary, ip);
        });
      } catch (e) {
        if (e instanceof Conflicts) return reject('bills', input.fileName, input.actorAccountId, parsed.rows.length, e.errors, ip);
        throw e;
      }
    },

    runs: (limit = 20) => importRuns(db, limit),

    report: (id: number) => rejectedRun(db, id),
  };
}

/** Calls fn for each row, giving the event loop a turn every TURN_ROWS rows. */
async function eachInTurns<T>(rows: T[], fn: (row: T) => void): Promise<void> {
  for (let i = 0; i < rows.length; i++) {
    if (i && i % TURN_ROWS === 0) await nextTurn();
    fn(rows[i]!);
  }
}

/** Rows refused inside the transaction: thrown to roll it back, then reported like any bad row. */
class Conflicts extends Error {
  constructor(readonly errors: RowError[]) {
    super('import conflicts');
  }
}

export type ImportsService = ReturnType<typeof importsService>;
