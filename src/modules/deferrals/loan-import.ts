// 贷款放款 file (学号, 贷款类型, 金额, 到账日期) through the console's import jobs: the file is read
// and each row checked in the import worker; here, whether each 学号 is a student's and whether a
// row repeats another. All or nothing: a file with any bad row writes nothing but its error report
// naming each row and why. A good file is applied row by row in ONE transaction.
// Idempotent by the row's key (学号 + 贷款类型 + 到账日期 + 金额, a unique column): the same file
// twice, or a later file of the bank that repeats rows already imported, or a row already recorded
// by hand, applies each disbursement once — a file hash would catch only the byte-identical file.
import type { Knex } from 'knex';
import { disbursementKey, type LoanRow } from '../../domain/deferral';
import type { RowError } from '../../domain/import-rows';
import { Decimal } from '../../domain/money';
import { businessDate } from '../../domain/business-date';
import type { AuditRepo } from '../audit/repo';
import { errorReport, type ImportOutcome, type ImportRequest, MAX_ROWS } from '../console/imports/service';
import { insertImportRun } from '../console/imports/repo';
import { parseInWorker } from '../console/imports/parse';
import { applyDisbursement } from './disburse';
import { linkImportRun, studentsByNumber } from './loans-repo';

const LOOKUP_CHUNK = 1000;

export function loanImports(deps: { db: Knex; audit: AuditRepo }) {
  const { db, audit } = deps;

  const reject = async (input: ImportRequest, rows: number, errors: RowError[]): Promise<ImportOutcome> => {
    const id = await insertImportRun(db, { kind: 'loans', fileName: input.fileName, status: 'rejected', rows, errorCount: errors.length, errorReport: errorReport(errors), actorAccountId: input.actorAccountId });
    await audit.record({ actorAccountId: input.actorAccountId, action: 'import.loans.rejected', detail: { runId: id, fileName: input.fileName, rows, errors: errors.length }, ip: input.ip ?? '' });
    return { status: 'rejected', runId: Number(id), rows, errors };
  };

  return {
    async importLoans(input: ImportRequest): Promise<ImportOutcome> {
      const source = input.path !== undefined ? { path: input.path } : { bytes: input.bytes! };
      const parsed = await parseInWorker({ kind: 'loans', source, colleges: [], periods: [], items: [], maxRows: MAX_ROWS, today: businessDate() }, input.progress);
      if (parsed.fileError !== undefined) return reject(input, 0, [{ line: 1, number: '', reasons: [parsed.fileError] }]);

      const numbers = new Set<string>();
      for await (const chunk of parsed.rows.chunks(LOOKUP_CHUNK)) for (const r of chunk) if (r.number) numbers.add(r.number);
      const all = [...numbers];
      const students = new Map<string, number>();
      for (let i = 0; i < all.length; i += LOOKUP_CHUNK) for (const [n, id] of await studentsByNumber(db, all.slice(i, i + LOOKUP_CHUNK))) students.set(n, id);

      const errors: RowError[] = [];
      const good: (LoanRow & { line: number })[] = [];
      const seen = new Map<string, number>();
      for await (const chunk of parsed.rows.chunks(LOOKUP_CHUNK)) for (const { line, number, reasons, row } of chunk) {
        let r = row as unknown as LoanRow | undefined;
        if (number && !students.has(number)) {
          reasons.unshift(`学号“${number}”不存在或不是学生`);
          r = undefined;
        }
        if (r) {
          const key = disbursementKey(r.number, r.kind, r.arrivedOn, new Decimal(r.amount));
          const first = seen.get(key);
          if (first !== undefined) reasons.push(`与第${first}行重复（同一学号、贷款类型、到账日期、金额）`);
          else seen.set(key, line);
        }
        if (reasons.length || !r) errors.push({ line, number, reasons });
        else good.push({ ...r, line });
      }
      if (errors.length) return reject(input, parsed.rows.length, errors);

      await input.progress?.onWriting?.();
      return db.transaction(async (trx) => {
        let applied = 0;
        let duplicates = 0;
        let refunds = 0;
        const ids: number[] = [];
        for (const g of good) {
          const out = await applyDisbursement(trx, audit, {
            personId: students.get(g.number)!, number: g.number, kind: g.kind, amount: new Decimal(g.amount), arrivedOn: g.arrivedOn,
            source: 'import', actorAccountId: input.actorAccountId, ip: input.ip ?? '',
          });
          if (out.status === 'duplicate') {
            duplicates++;
            continue;
          }
          applied++;
          ids.push(out.id);
          if (out.refundId !== null) refunds++;
        }
        const summary = { applied, duplicates, refunds };
        const runId = await insertImportRun(trx, { kind: 'loans', fileName: input.fileName, status: 'imported', rows: good.length, summary, actorAccountId: input.actorAccountId });
        await linkImportRun(trx, ids, runId);
        await audit.record({ actorAccountId: input.actorAccountId, action: 'import.loans', detail: { runId, fileName: input.fileName, rows: good.length, ...summary }, ip: input.ip ?? '' }, trx);
        return { status: 'imported', runId: Number(runId), rows: good.length, summary };
      });
    },
  };
}

export type LoanImports = ReturnType<typeof loanImports>;
