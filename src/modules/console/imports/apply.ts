// The database phase of an import, once every row is read and checked (parse-worker.ts): the
// checks that need the database, then the writes, all or nothing in one transaction; a file with
// any bad row writes only its error report. The same code runs in the import worker on its own
// connection (PostgreSQL: write-worker.ts) or on the main thread (the embedded engine has one
// connection, held by the main thread).
import type { Knex } from 'knex';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { BOM, csvLine, toCsv } from '../../../domain/csv';
import type { BillRow, PersonRow, RowError } from '../../../domain/import-rows';
import { Decimal } from '../../../domain/money';
import type { AuditRepo } from '../../audit/repo';
import { applyCharges } from '../../billing/batch-repo';
import type { ImportKind, ImportOutcome } from './kinds';

export type { ImportOutcome } from './kinds';
import type { PackedRows } from './packed-rows';
import { ensureClasses, insertImportRun, nonStudentNumbers, peopleByNumber, upsertStudents } from './repo';

const PEOPLE_CHUNK = 1000;
/** Rows looked up at once: one query, and the work between two turns, stay short. */
const LOOKUP_CHUNK = 1000;
/** Rows looked at between two turns of the event loop, so requests keep flowing on the main thread. */
const TURN_ROWS = 5000;

/** Who imports which file; onWriting is awaited once every check passed, before the first write. */
export interface ApplyContext {
  fileName: string;
  actorAccountId: number | null;
  ip: string;
  /** The ledger entries' reason (bills); by default 导入应收 and the file's name. */
  reason?: string;
  onWriting?: () => void | Promise<void>;
}

const REPORT_HEADER = ['行号', '学号', '错误原因'];
const reportRow = (e: RowError) => [String(e.line), e.number, e.reasons.join('；')];

export function errorReport(errors: RowError[]): string {
  return toCsv(REPORT_HEADER, errors.map(reportRow));
}

/** errorReport, built in turns: a file of 200,000 bad rows must not hold the thread either. */
async function errorReportInTurns(errors: RowError[]): Promise<string> {
  const lines = [BOM + csvLine(REPORT_HEADER)];
  for (let i = 0; i < errors.length; i++) {
    if (i && i % TURN_ROWS === 0) await nextTurn();
    lines.push(csvLine(reportRow(errors[i]!)));
  }
  return lines.join('');
}

export async function rejectImport(db: Knex, audit: AuditRepo, kind: ImportKind, ctx: ApplyContext, rows: number, errors: RowError[]): Promise<ImportOutcome> {
  const id = await insertImportRun(db, {
    kind, fileName: ctx.fileName, status: 'rejected', rows, errorCount: errors.length, errorReport: await errorReportInTurns(errors), actorAccountId: ctx.actorAccountId,
  });
  await audit.record({ actorAccountId: ctx.actorAccountId, action: `import.${kind}.rejected`, detail: { runId: id, fileName: ctx.fileName, rows, errors: errors.length }, ip: ctx.ip });
  return { status: 'rejected', runId: Number(id), rows, errors };
}

async function finish(trx: Knex, audit: AuditRepo, kind: ImportKind, ctx: ApplyContext, rows: number, summary: Record<string, number>): Promise<ImportOutcome> {
  const id = await insertImportRun(trx, { kind, fileName: ctx.fileName, status: 'imported', rows, summary, actorAccountId: ctx.actorAccountId });
  await audit.record({ actorAccountId: ctx.actorAccountId, action: `import.${kind}`, detail: { runId: id, fileName: ctx.fileName, rows, ...summary }, ip: ctx.ip }, trx);
  return { status: 'imported', runId: Number(id), rows, summary };
}

/** People: colleges maps each existing college's name to its id. */
export async function applyPeople(db: Knex, audit: AuditRepo, rows: PackedRows, colleges: Map<string, number>, ctx: ApplyContext): Promise<ImportOutcome> {
  // The worker checked each row and the duplicates within the file; what needs the database is
  // here, a chunk at a time. The rows stay packed (packed-rows.ts): read once to check, once to write.
  const errors: RowError[] = [];
  const classPairs = new Set<string>();
  for await (const chunk of rows.chunks(LOOKUP_CHUNK)) {
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
  if (errors.length) return rejectImport(db, audit, 'people', ctx, rows.length, errors.sort((a, b) => a.line - b.line));

  await ctx.onWriting?.();
  const total = rows.length;
  return db.transaction(async (trx) => {
    // Classes are created on demand inside an existing college (a new intake brings new classes).
    const pairs = [...classPairs].map((p) => p.split('\u0000'));
    const classes = new Map<string, number>((await ensureClasses(trx, pairs.map(([c, k]) => ({ college_id: Number(c), name: k! })))).map((k) => [`${k.college_id}\u0000${k.name}`, k.id]));

    let inserted = 0;
    let updated = 0;
    for await (const checked of rows.chunks(PEOPLE_CHUNK)) {
      const chunk = checked.map(({ row }) => {
        const g = row as unknown as PersonRow;
        const collegeId = colleges.get(g.college)!;
        return { number: g.number, name: g.name, gender: g.gender, id_number: g.idNumber, college_id: collegeId, class_id: classes.get(`${collegeId}\u0000${g.className}`)!, mobile: g.mobile };
      });
      // Only rows that really differ are updated (and returned), so a re-import touches nothing;
      // an empty 手机 keeps the number the person already gave.
      for (const r of await upsertStudents(trx, chunk)) if (r.inserted) inserted++; else updated++;
    }
    const summary = { inserted, updated, unchanged: total - inserted - updated };
    return finish(trx, audit, 'people', ctx, total, summary);
  });
}

/** Bills: periods and items map each existing 收费期间 and 收费项目 name to its id. */
export async function applyBills(
  db: Knex, audit: AuditRepo, rows: PackedRows, names: { periods: Map<string, number>; items: Map<string, number> }, ctx: ApplyContext,
): Promise<ImportOutcome> {
  const numberSet = new Set<string>();
  for await (const chunk of rows.chunks(LOOKUP_CHUNK)) for (const r of chunk) if (r.number) numberSet.add(r.number);
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
  for await (const chunk of rows.chunks(LOOKUP_CHUNK)) for (const { line, number, reasons, row: checked } of chunk) {
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
  if (errors.length) return rejectImport(db, audit, 'bills', ctx, rows.length, errors);

  await ctx.onWriting?.();
  const charges = good.map((g) => ({ personId: people.get(g.number)!, periodId: names.periods.get(g.period)!, feeItemId: names.items.get(g.item)!, due: g.due, line: g.line }));
  const byLine = new Map(good.map((g) => [g.line, g]));
  try {
    return await db.transaction(async (trx) => {
      const result = await applyCharges(trx, charges, { actorAccountId: ctx.actorAccountId, reason: ctx.reason ?? `导入应收 ${ctx.fileName}`.slice(0, 200), onExisting: 'adjust' });
      if (result.conflicts.length) {
        throw new Conflicts(result.conflicts.map((c) => ({
          line: c.charge.line!, number: byLine.get(c.charge.line!)!.number,
          reasons: [`应收金额 ${c.charge.due.toFixed(2)} 低于该账单已减免的 ${c.reduction.toFixed(2)} 元`],
        })));
      }
      const summary = { created: result.created, adjusted: result.adjusted, unchanged: result.unchanged };
      return finish(trx, audit, 'bills', ctx, good.length, summary);
    });
  } catch (e) {
    if (e instanceof Conflicts) return rejectImport(db, audit, 'bills', ctx, rows.length, e.errors);
    throw e;
  }
}

/** Rows refused inside the transaction: thrown to roll it back, then reported like any bad row. */
class Conflicts extends Error {
  constructor(readonly errors: RowError[]) {
    super('import conflicts');
  }
}
