// 选缴 on the 其他费用 tab: a person chooses optional items (教材费, 体检费 …) and only then is
// billed for them. The bill is made by billing's applyCharges (the one writer of bill totals and
// the ledger for new bills), keyed on bills' unique (person, period, item): choosing twice — a
// double click, two tabs, twenty requests at once — makes one bill and one charge.
import type { Knex } from 'knex';
import { AppError } from '../../domain/app-error';
import { notPayableReason } from '../../domain/payable';
import type { AuditRepo } from '../audit/repo';
import { applyCharges } from '../billing/batch-repo';
import { feesRepo } from './repo';

export const OPTIONAL_MESSAGES = {
  unknown: '所选选缴项目不存在或未向您开放',
  reason: '本人选缴',
} as const;

/**
 * Bills the person for the optional items `itemIds` (fee item ids) not yet billed. Every item is
 * checked before anything is written: not offered to this person → refused; outside its window
 * or stopped → refused with the reason; already chosen → nothing more to do for it.
 * Returns how many bills were made.
 */
export async function chooseOptional(
  deps: { db: Knex; audit: AuditRepo },
  input: { personId: number; accountId: number; itemIds: readonly number[]; ip?: string; now: Date },
): Promise<{ created: number }> {
  const { db } = deps;
  const { personId, now } = input;
  const ids = [...new Set(input.itemIds)];
  const offers = await feesRepo(db).offersFor(personId, ids);
  if (offers.length !== ids.length) throw new AppError('invalid', OPTIONAL_MESSAGES.unknown, 'item');
  for (const o of offers) {
    const reason = o.chosen ? null : notPayableReason(o, now);
    if (reason) throw new AppError('conflict', reason, 'item');
  }
  const todo = offers.filter((o) => !o.chosen);
  if (!todo.length) return { created: 0 };
  return db.transaction(async (trx) => {
    const result = await applyCharges(trx, todo.map((o) => ({ personId, periodId: o.periodId, feeItemId: o.feeItemId, due: o.amount })), {
      actorAccountId: input.accountId, reason: OPTIONAL_MESSAGES.reason, onExisting: 'skip',
    });
    // A request that lost the race to a parallel one made nothing: nothing to record either.
    if (result.created) {
      await deps.audit.record({
        actorAccountId: input.accountId, action: 'bill.choose', targetPersonId: personId, ip: input.ip ?? '',
        detail: { lines: todo.map((o) => ({ itemId: o.feeItemId, periodId: o.periodId, amount: o.amount.toFixed(2) })), count: result.created },
      }, trx);
    }
    return { created: result.created };
  });
}
