// 柜台收费 (cash, POS, bank transfer): a receipt whose 制单人 is the cashier, and a payment
// ledger entry per bill. The receipt lands in the same receipts table as online payments, so the
// student sees it under 已缴费信息, and gets its e-bill the same way: 待生成, then the fiscal
// platform's 非税收入 bill (财政) or 资金往来结算票据 (代收), asked for once the payment is committed.
import type { Knex } from 'knex';
import { arrears } from '../../../domain/arrears';
import { businessDate } from '../../../domain/business-date';
import { dec } from '../../../db/rows';
import type { Decimal } from '../../../domain/money';
import type { AuditRepo } from '../../audit/repo';
import { BillConstraintError, insertReceipt, postLedgerEntry } from '../../billing/repo';
import { AppError } from '../../../domain/app-error';
import type { Actor } from '../context';
import { BILL_REFUSED } from '../messages';
import { billsForCounter } from './repo';

export type CounterMethod = 'cash' | 'pos' | 'transfer';

export function counterService(deps: { db: Knex; audit: AuditRepo; afterPayment?: () => void }) {
  const { db, audit } = deps;
  return {
    async pay(actor: Actor, collegeScope: number | null, personId: number, lines: { billId: number; amount: Decimal }[], method: CounterMethod, reason: string) {
      if (!lines.length) throw new AppError('invalid', '请至少在一个账单上填写收费金额', 'lines');
      const receipt = await db.transaction(async (trx) => {
        // Locked in id order, as every writer of several bills does, so two cashiers cannot deadlock.
        const bills = await billsForCounter(trx, lines.map((l) => l.billId));
        const byId = new Map(bills.map((b) => [Number(b.id), b]));
        for (const l of lines) {
          const b = byId.get(l.billId);
          if (!b || b.personId !== personId || (collegeScope !== null && b.collegeId !== collegeScope)) throw new AppError('invalid', '账单不存在', 'lines');
          const owed = arrears({ due: dec(b.due), reduction: dec(b.reduction), paid: dec(b.paid), refunded: dec(b.refunded) });
          if (l.amount.greaterThan(owed)) throw new AppError('invalid', `${b.name}：收费金额不能超过欠费金额 ${owed.toFixed(2)} 元`, `amount_${l.billId}`);
        }
        const categories = new Set(bills.map((b) => b.category));
        // One receipt, one payee: 财政 money goes to 甘肃省财政厅, 代收 to the university.
        if (categories.size > 1) throw new AppError('invalid', '财政项目与代收项目须分开收费', 'lines');
        const receipt = await insertReceipt(trx, {
          personId, receiptDate: businessDate(), preparer: actor.name, category: [...categories][0]!, method,
          ebillStatus: '待生成', actorAccountId: actor.accountId, lines,
        });
        try {
          for (const l of lines) {
            await postLedgerEntry(trx, { billId: l.billId, kind: 'payment', amount: l.amount, receiptId: receipt.id, actorAccountId: actor.accountId, reason });
          }
        } catch (e) {
          if (e instanceof BillConstraintError) throw new AppError('invalid', BILL_REFUSED, 'lines');
          throw e;
        }
        await audit.record({
          actorAccountId: actor.accountId, action: 'counter.payment', targetPersonId: personId, ip: actor.ip,
          detail: { receiptNo: receipt.receiptNo, method, reason, lines: lines.map((l) => ({ billId: l.billId, amount: l.amount.toFixed(2) })) },
        }, trx);
        return receipt;
      });
      deps.afterPayment?.();
      return receipt;
    },
  };
}

export type CounterService = ReturnType<typeof counterService>;
