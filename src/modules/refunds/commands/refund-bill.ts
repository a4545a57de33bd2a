// 退费 of a bill: full or partial, offline (money handed back outside the platform) or through
// the original channel's refund API. A refund is a `refunds` row plus a `refund` ledger entry
// that raises the bill's 退费金额; it can never exceed what was paid on that bill (checked under
// the bill's row lock, and the bills CHECK refunded <= paid backs it up). A fee-reduced refund
// (休学, 退学, 减免) also posts a `reduction` entry in the same transaction as its refund entry,
// so the bill stays settled; a money-back refund leaves what is owed as it was
// (src/domain/refund-plan.ts).
//
// Channel refunds follow "write locally, then call the gateway": the refund is recorded as
// pending (which reserves the amount), the channel is called outside any transaction, and only a
// success posts the ledger entries. An unclear answer (timeout, 5xx) or "processing" leaves it
// pending for the refund-query job (./recheck-refund.ts).
import type { Knex } from 'knex';
import { AppError } from '../../../domain/app-error';
import { Decimal } from '../../../domain/money';
import { MONEY_BACK, planRefund, type RefundMeaning, type RefundPlan, type RefundRefusal } from '../../../domain/refund-plan';
import { refundView } from '../../payment/channel-view';
import { orderToRefund, type OrderToRefund } from '../../payment/refund-repo';
import { audited, type RefundActor } from '../actor';
import type { RefundChannel, RefundsDeps } from '../deps';
import { RefundUncertainError } from '../errors';
import { M } from '../messages';
import { setFlagRefund } from '../overpayments-repo';
import { insertRefund, lockBillForRefund, nextRefundNo, noteRefundError, pendingOnOrder, type RefundableBill, takenOnLine } from '../refunds-repo';
import { refusalOf, sendRefund } from './send-refund';
import { meaningDetail, postRefund, settleRefund } from './settle-refund';

export interface BillRefund {
  personId: number;
  billId: number;
  amount: Decimal;
  mode: 'offline' | 'channel';
  reason: string;
  /** What the refund means for what is owed; none: money back, the bill's due unchanged. */
  meaning?: RefundMeaning;
  /** The bill's version finance saw when they read what the refund would do (核对退费). */
  billVersion?: number;
  /** Through this order (an overpayment goes back the way it came); else the latest paid one. */
  orderId?: string;
  /** The overpayment flag this refund is for: it gets the refund number before the channel call. */
  overpaymentId?: string;
}

/** The refusal finance reads, beside the field it is about. */
function refusalError(r: RefundRefusal): AppError {
  if (r.code === 'over_refundable') return new AppError('invalid', M.overBill(r.max), 'amount');
  if (r.code === 'over_reducible') return new AppError('invalid', M.overReducible(r.max), 'reduction');
  return new AppError('invalid', M.reductionTooSmall(r.min), 'reduction');
}

/** The bill (in the actor's scope) and what this refund does to it; an AppError when refused. */
export function planOrRefuse(b: RefundableBill | null, r: BillRefund, collegeScope: number | null): RefundPlan & { version: number } {
  if (!b || b.personId !== r.personId || (collegeScope !== null && b.collegeId !== collegeScope)) throw new AppError('not_found', M.billNotFound);
  // A payment, refund or 减免 since finance read the consequences: they read them again.
  if (r.billVersion !== undefined && r.billVersion !== b.version) throw new AppError('conflict', M.billChanged, 'amount');
  // Pending channel refunds have reserved part of what is refundable (and of what is reducible).
  const planned = planRefund(b, r.amount, r.meaning ?? MONEY_BACK);
  if (!planned.ok) throw refusalError(planned.refusal);
  return { ...planned.plan, version: b.version };
}

/** The bill locked, in the actor's scope, with what is still refundable on it. */
async function lockRefundable(trx: Knex, r: BillRefund, collegeScope: number | null): Promise<void> {
  planOrRefuse(await lockBillForRefund(trx, r.billId), r, collegeScope);
}

/**
 * The paid order a channel refund goes back through and its channel's refund API, with what is
 * left to refund of the order and of this bill's line on it; an AppError when it cannot go.
 */
export async function channelOrderFor(deps: Pick<RefundsDeps, 'gateways'>, trx: Knex, r: BillRefund): Promise<{ order: OrderToRefund; channel: RefundChannel }> {
  const order = await orderToRefund(trx, r.billId, r.orderId);
  if (!order) throw new AppError('not_found', r.orderId ? M.orderGone : M.noOnlineOrder, 'mode');
  const channel = deps.gateways?.get(order.channel) ?? null;
  if (!channel) throw new AppError('unavailable', M.noRefundApi, 'mode');
  const orderLeft = order.amount.minus(order.refunded).minus(await pendingOnOrder(trx, order.id));
  if (r.amount.greaterThan(orderLeft)) throw new AppError('invalid', M.overOrder(orderLeft), 'amount');
  // On this bill's line of the order, what is not yet refunded or reserved.
  const lineLeft = order.lineAmount.minus(await takenOnLine(trx, order.id, r.billId));
  if (r.amount.greaterThan(lineLeft)) throw new AppError('invalid', M.overLine(Decimal.max(0, lineLeft)), 'amount');
  return { order, channel };
}

/** `collegeScope`: the department of the staff member (null for finance, who sees every college). */
export async function refundBill(deps: RefundsDeps, actor: RefundActor, collegeScope: number | null, r: BillRefund): Promise<{ refundNo: string; status: 'succeeded' | 'pending' }> {
  const { db, audit } = deps;
  const meaning = r.meaning ?? MONEY_BACK;
  if (r.mode === 'offline') {
    return db.transaction(async (trx) => {
      await lockRefundable(trx, r, collegeScope);
      const refundNo = await nextRefundNo(trx);
      const row = await insertRefund(trx, { refundNo, orderId: null, billId: r.billId, amount: r.amount, channel: null, status: 'succeeded', reason: r.reason, actorAccountId: actor.accountId, meaning });
      await postRefund(deps, trx, actor, { refundId: row.id, refundNo, personId: r.personId, billId: r.billId, amount: r.amount, mode: 'offline', reason: r.reason, orderId: null, meaning });
      return { refundNo, status: 'succeeded' as const };
    }).then((done) => {
      // Handed back outside the platform: no order carries it.
      deps.logger?.info({ orderNo: null, refundNo: done.refundNo, billId: r.billId, amount: r.amount.toFixed(2) }, 'offline refund posted');
      return done;
    });
  }

  const reserved = await db.transaction(async (trx) => {
    await lockRefundable(trx, r, collegeScope);
    const { order, channel } = await channelOrderFor(deps, trx, r);
    const refundNo = await nextRefundNo(trx);
    // The meaning is kept with the pending refund: the channel's yes posts its reduction too.
    const row = await insertRefund(trx, { refundNo, orderId: order.id, billId: r.billId, amount: r.amount, channel: order.channel, status: 'pending', reason: r.reason, actorAccountId: actor.accountId, meaning });
    // The flag learns its refund number before the channel is called: if the answer is lost,
    // the job that settles the refund settles the flag too.
    if (r.overpaymentId) await setFlagRefund(trx, r.overpaymentId, refundNo, row.requestedAt);
    const channelOrder = await refundView({ db: trx, config: deps.site }, order.id, order.channel);
    await audit.record({ ...audited(actor), action: 'refund.channel_requested', targetPersonId: r.personId, detail: { refundNo, orderNo: order.orderNo, amount: r.amount.toFixed(2), reason: r.reason, ...meaningDetail(meaning) } }, trx);
    return { refundId: row.id, refundNo, requestedAt: row.requestedAt, channel, channelOrder, orderNo: order.orderNo };
  });
  deps.logger?.info({ orderNo: reserved.orderNo, refundNo: reserved.refundNo, amount: r.amount.toFixed(2) }, 'refund requested');

  const sent = await sendRefund(reserved.channel, reserved.channelOrder, r.amount, reserved.refundNo, reserved.requestedAt);
  if (sent.status === 'unanswered') {
    deps.logger?.warn({ orderNo: reserved.orderNo, refundNo: reserved.refundNo, err: sent.error }, 'refund unanswered by the channel');
    // The refund stays pending and keeps its amount reserved until the channel is asked again.
    await noteRefundError(db, reserved.refundId, sent.error);
    throw new RefundUncertainError(M.uncertain(sent.error, reserved.refundNo), reserved.refundNo);
  }
  if (sent.status === 'succeeded') {
    await settleRefund(deps, reserved.refundId, { status: 'succeeded', channelRefundNo: sent.channelRefundNo }, actor);
    return { refundNo: reserved.refundNo, status: 'succeeded' };
  }
  if (sent.status === 'pending') return { refundNo: reserved.refundNo, status: 'pending' };
  await settleRefund(deps, reserved.refundId, { status: 'failed', reason: sent.status === 'failed' ? sent.reason : 'unsupported' }, actor);
  throw refusalOf(sent);
}
