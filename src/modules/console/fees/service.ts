// 收费期间、收费项目、开单 and 账单调整 (减免 / 更正). Every money change is a ledger entry with its
// reason and an audit entry, in one transaction.
import type { Knex } from 'knex';
import type { z } from 'zod';
import { dec } from '../../../db/rows';
import type { Decimal } from '../../../domain/money';
import type { AuditRepo } from '../../audit/repo';
import { BillConstraintError, postLedgerEntry } from '../../billing/repo';
import { AppError } from '../../../domain/app-error';
import type { Actor } from '../context';
import { applyCharges } from '../../billing/batch-repo';
import { pendingReductionOn } from '../../refunds/refunds-repo';
import { BILL_REFUSED } from '../messages';
import type { ConsoleFeesRepo } from './repo';
import type { billRunForm, itemForm, periodForm } from './schemas';

const isUniqueViolation = (e: unknown) => (e as { code?: string }).code === '23505';

export function consoleFeesService(deps: { db: Knex; repo: ConsoleFeesRepo; audit: AuditRepo }) {
  const { db, repo, audit } = deps;

  return {
    repo,

    async savePeriod(actor: Actor, id: number | null, f: z.infer<typeof periodForm>) {
      try {
        await db.transaction(async (trx) => {
          const periodId = await repo.savePeriod(trx, id, { name: f.name, sort_order: f.sort_order });
          if (periodId === undefined) throw new AppError('invalid', '收费期间不存在');
          await audit.record({ actorAccountId: actor.accountId, action: id ? 'period.update' : 'period.create', detail: { periodId, ...f }, ip: actor.ip }, trx);
        });
      } catch (e) {
        if (isUniqueViolation(e)) throw new AppError('invalid', '已有同名的收费期间', 'name');
        throw e;
      }
    },

    async saveItem(actor: Actor, id: number | null, f: z.infer<typeof itemForm>) {
      try {
        await db.transaction(async (trx) => {
          if (f.offer_period_id !== null && !(await repo.periodExists(trx, f.offer_period_id))) throw new AppError('invalid', '选缴期间不存在', 'offer_period');
          const itemId = await repo.saveItem(trx, id, { ...f });
          if (itemId === undefined) throw new AppError('invalid', '收费项目不存在');
          await audit.record({ actorAccountId: actor.accountId, action: id ? 'fee_item.update' : 'fee_item.create', detail: { itemId, ...f }, ip: actor.ip }, trx);
        });
      } catch (e) {
        if (isUniqueViolation(e)) throw new AppError('invalid', '已有同名的收费项目', 'name');
        throw e;
      }
    },

    /** 开单: one bill per target person for the item; people already billed are left as they are. */
    async billRun(actor: Actor, f: z.infer<typeof billRunForm>) {
      const numbers = f.target === 'list' ? [...new Set(f.numbers.split(/[\s,，;；]+/).filter(Boolean))] : undefined;
      return db.transaction(async (trx) => {
        const [period, item] = await Promise.all([repo.periodExists(trx, f.period), repo.itemExists(trx, f.item)]);
        if (!period) throw new AppError('invalid', '收费期间不存在', 'period');
        if (!item) throw new AppError('invalid', '收费项目不存在', 'item');
        const people = await repo.targets(trx, { collegeId: f.target === 'college' ? Number(f.college) : undefined, classId: f.target === 'class' ? Number(f.klass) : undefined, numbers });
        if (numbers) {
          const found = new Set(people.map((p) => p.number));
          const missing = numbers.filter((n) => !found.has(n));
          if (missing.length) throw new AppError('invalid', `以下学号不存在：${missing.slice(0, 20).join('、')}${missing.length > 20 ? ` 等${missing.length}个` : ''}`, 'numbers');
        }
        if (!people.length) throw new AppError('invalid', '所选范围内没有学生', 'target');
        const result = await applyCharges(trx, people.map((p) => ({ personId: p.id, periodId: f.period, feeItemId: f.item, due: f.amount })), {
          actorAccountId: actor.accountId, reason: f.reason, onExisting: 'skip',
        });
        await audit.record({
          actorAccountId: actor.accountId, action: 'bill.run', ip: actor.ip,
          detail: { periodId: f.period, itemId: f.item, target: f.target, college: f.college, klass: f.klass, count: people.length, amount: f.amount.toFixed(2), reason: f.reason, created: result.created, existing: result.skipped + result.unchanged },
        }, trx);
        return { targeted: people.length, created: result.created, existing: result.skipped + result.unchanged };
      });
    },

    /** 减免 (reduction, negative to reverse one) or 更正 (adjustment of what is due). */
    async adjust(actor: Actor, collegeScope: number | null, personId: number, billId: number, kind: 'reduction' | 'adjustment', amount: Decimal, reason: string) {
      await db.transaction(async (trx) => {
        const bill = await repo.lockBill(trx, billId);
        if (!bill || bill.personId !== personId || (collegeScope !== null && bill.collegeId !== collegeScope)) throw new AppError('invalid', '账单不存在');
        // A fee-reduced refund still at its channel will post its reduction when it succeeds:
        // what it will reduce is held as if reduced already.
        const reserved = dec(bill.reduction).plus(await pendingReductionOn(trx, billId));
        if (kind === 'reduction' && reserved.plus(amount).greaterThan(dec(bill.due))) throw new AppError('invalid', '减免金额不能超过应收金额（含退费处理中的减免）', 'amount');
        if (kind === 'reduction' && dec(bill.reduction).plus(amount).isNegative()) throw new AppError('invalid', '撤销的减免不能超过已减免金额', 'amount');
        if (kind === 'adjustment' && dec(bill.due).plus(amount).lessThan(reserved)) throw new AppError('invalid', '更正后的应收金额不能低于减免金额（含退费处理中的减免）', 'amount');
        try {
          await postLedgerEntry(trx, { billId, kind, amount, actorAccountId: actor.accountId, reason });
        } catch (e) {
          if (e instanceof BillConstraintError) throw new AppError('invalid', BILL_REFUSED, 'amount');
          throw e;
        }
        await audit.record({ actorAccountId: actor.accountId, action: `bill.${kind}`, targetPersonId: bill.personId, detail: { billId, amount: amount.toFixed(2), reason }, ip: actor.ip }, trx);
        return bill.personId as number;
      });
    },
  };
}

export type ConsoleFeesService = ReturnType<typeof consoleFeesService>;
