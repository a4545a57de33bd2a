// 贷款结余退款: the surplus of a loan goes back to the student's bank card (银行卡修改, stored
// encrypted with BANK_CARD_KEY). Finance exports the refunds waiting (待导出) as one batch file for
// the bank — UTF-8 with a BOM and CRLF, as src/domain/csv.ts writes every CSV — and later marks
// each as 已到账 or 失败 from the bank's answer. Each move is a compare-and-set in a transaction.
import type { Knex } from 'knex';
import { AppError } from '../../domain/app-error';
import { decryptCard } from '../../domain/card-crypto';
import { toCsv } from '../../domain/csv';
import { plainMoney, sum } from '../../domain/money';
import type { AuditRepo } from '../audit/repo';
import type { Actor } from '../console/context';
import { type ExportLine, insertBatch, loanRefund, lockExportable, markExported, setRefundState } from './loans-repo';
import { M } from './messages';

export const BATCH_HEADER = ['序号', '学号', '姓名', '开户银行', '银行卡号', '金额', '用途'];
export const BATCH_PURPOSE = '助学贷款结余退款';

/** The bank's file: one line per refund, the card number in full (the bank pays it). */
export function batchCsv(lines: readonly (Omit<ExportLine, 'cardEnc'> & { card: string })[]): string {
  return toCsv(BATCH_HEADER, lines.map((l, i) => [String(i + 1), l.number, l.name, l.bankName ?? '', l.card, plainMoney(l.amount), BATCH_PURPOSE]));
}

export function refundBatches(deps: { db: Knex; audit: AuditRepo; bankCardKey: Buffer }) {
  const { db, audit } = deps;
  return {
    async exportBatch(actor: Actor): Promise<{ batchId: number; count: number }> {
      return db.transaction(async (trx) => {
        const locked = await lockExportable(trx);
        if (!locked.length) throw new AppError('conflict', M.noExportable);
        const file = batchCsv(locked.map(({ cardEnc, ...l }) => ({ ...l, card: decryptCard(cardEnc, deps.bankCardKey) })));
        const total = sum(locked.map((l) => l.amount));
        const batchId = await insertBatch(trx, { count: locked.length, total, file, actorAccountId: actor.accountId });
        if ((await markExported(trx, locked.map((l) => l.id), batchId)) !== locked.length) throw new AppError('conflict', M.refundMoved);
        await audit.record({ actorAccountId: actor.accountId, action: 'loan_refund.export', ip: actor.ip, detail: { runId: batchId, count: locked.length, amount: total.toFixed(2) } }, trx);
        return { batchId, count: locked.length };
      });
    },

    async setState(actor: Actor, id: number, version: number, to: 'paid' | 'failed', note: string) {
      return db.transaction(async (trx) => {
        const r = await loanRefund(trx, id);
        if (!r) throw new AppError('not_found', M.refundGone);
        if (!(await setRefundState(trx, id, version, to, note))) throw new AppError('conflict', M.refundMoved);
        await audit.record({ actorAccountId: actor.accountId, action: 'loan_refund.state', targetPersonId: r.personId, ip: actor.ip, detail: { refundId: id, amount: r.amount.toFixed(2), status: to, message: note } }, trx);
      });
    },
  };
}
