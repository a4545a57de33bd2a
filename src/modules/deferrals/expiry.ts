// The deferral-expiry job: a deferral whose expected date has passed with no loan turns back into
// ordinary arrears (its part of the bill is payable online again and counted as real arrears),
// and the student is told by SMS (queued in the same transaction, sent by the outbox job) and on
// 当前费用. Safe on several instances at once: rows are claimed with SKIP LOCKED and moved in one
// statement, so each deferral expires, and its SMS is queued, once.
import type { Knex } from 'knex';
import { businessDate } from '../../domain/business-date';
import { deferredPart } from '../../domain/deferral';
import { DEFERRAL_KIND_LABEL } from '../../domain/deferral-labels';
import type { AuditRepo } from '../audit/repo';
import { enqueueSms } from '../sms/outbox-repo';
import { isMobile } from '../sms/messages';
import { expiredText } from './messages';
import { expireDue } from './repo';

const BATCH = 500;

export async function expireDeferrals(deps: { db: Knex; audit: AuditRepo; schoolName: string }, now: Date): Promise<{ expired: number; told: number }> {
  const today = businessDate(now);
  let expired = 0;
  let told = 0;
  for (;;) {
    const n = await deps.db.transaction(async (trx) => {
      const rows = await expireDue(trx, today, BATCH);
      for (const r of rows) {
        // What is owed again: the deferred part the bill still owes (paid meanwhile at the counter: nothing to tell).
        const owedAgain = deferredPart(r.remaining, r.owed);
        if (owedAgain.greaterThan(0) && isMobile(r.mobile)) {
          await enqueueSms(trx, { personId: r.personId, mobile: r.mobile, body: expiredText({ schoolName: deps.schoolName, itemName: r.itemName, kind: r.kind, expectedOn: r.expectedOn, amount: owedAgain }) });
          told++;
        }
        await deps.audit.record({
          actorAccountId: null, action: 'deferral.expire', targetPersonId: r.personId,
          detail: { id: r.id, billId: r.billId, kind: DEFERRAL_KIND_LABEL[r.kind], amount: r.remaining.toFixed(2), expectedOn: r.expectedOn },
        }, trx);
      }
      return rows.length;
    });
    expired += n;
    if (n < BATCH) return { expired, told };
  }
}
