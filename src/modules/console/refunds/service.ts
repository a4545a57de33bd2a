// 退费: full or partial, offline (money handed back outside the platform) or through the original
// channel's refund API. A refund is a `refunds` row plus a `refund` ledger entry that raises the
// bill's 退费金额; it can never exceed what was paid on that bill (checked under the bill's row
// lock, and the bills CHECK refunded <= paid backs it up).
//
// Channel refunds follow "write locally, then call the gateway": the refund is recorded as
// pending (which reserves the amount), the channel is called outside any transaction, and only a
// success posts the ledger entry. An unclear answer (timeout, 5xx) or "processing" leaves it
// pending; the refund-query job (`recheckPending`) asks the channel about it under the same
// refund number and request time, sends it again only when the channel never saw it, and then
// posts it (once: compare-and-set on the pending row) or releases the reserved amount.
import type { Knex } from 'knex';
import { orderDatePart } from '../../../domain/business-date';
import { dec, sameInstant } from '../../../db/rows';
import { Decimal } from '../../../domain/money';
import { ChannelError, type ChannelOrder, type RefundQueryResult, type RefundRef, type RefundResult } from '../../../gateways/types';
import type { AuditRepo } from '../../audit/repo';
import { BillConstraintError, postLedgerEntry } from '../../billing/repo';
import { closeFlagsCoveredByRefund } from '../../reconcile/repo';
import { type Actor, ConsoleError } from '../context';
import { BILL_REFUSED } from '../messages';

/** The part of the gateway registry a refund needs (GatewayRegistry satisfies it). */
export interface RefundGateways {
  get(channel: string): {
    refund(order: ChannelOrder, amount: Decimal, refundNo: string, requestedAt?: Date): Promise<RefundResult>;
    queryRefund(order: ChannelOrder, refund: RefundRef): Promise<RefundQueryResult>;
  } | null;
}

export interface RefundRequest {
  personId: number;
  billId: number;
  amount: Decimal;
  mode: 'offline' | 'channel';
  reason: string;
  /** Through this order (an overpayment goes back the way it came); else the latest paid one. */
  orderId?: string;
  /** The overpayment flag this refund is for: it gets the refund number before the channel call. */
  overpaymentId?: string;
}

/** The channel did not answer clearly: the refund stays pending under `refundNo` for the job. */
export class RefundUncertainError extends ConsoleError {
  constructor(message: string, readonly refundNo: string) {
    super(message, 'mode');
  }
}

export type RecheckOutcome = 'succeeded' | 'failed' | 'pending' | 'unanswered' | 'mismatch' | 'skipped';

/** The platform as the actor of what a job settles (no account: the audit shows 系统). */
const JOB_ACTOR = { accountId: null, personId: 0, name: '支付平台', ip: 'job' } as unknown as Actor;

export function refundsService(deps: { db: Knex; audit: AuditRepo; gateways?: RefundGateways | null; publicUrl?: string }) {
  const { db, audit } = deps;

  const lockBill = async (trx: Knex, billId: number, personId: number, collegeScope: number | null) => {
    const b = await trx('bills as b').join('people as p', 'p.id', 'b.person_id').where('b.id', billId).forUpdate('b')
      .first('b.id', 'b.person_id as personId', 'p.college_id as collegeId', 'b.paid', 'b.refunded');
    if (!b || b.personId !== personId || (collegeScope !== null && b.collegeId !== collegeScope)) throw new ConsoleError('账单不存在');
    // Pending channel refunds have reserved part of what is refundable.
    const [{ pending }] = await trx('refunds').where({ bill_id: billId, status: 'pending' }).select(trx.raw('COALESCE(sum(amount), 0) AS pending'));
    return { paid: dec(b.paid), refunded: dec(b.refunded), pending: dec(pending) };
  };

  const nextRefundNo = async (trx: Knex) => {
    const { rows } = await trx.raw(`SELECT lpad(nextval('refund_no_seq')::text, 8, '0') AS n`);
    return `TF${orderDatePart()}${rows[0].n as string}`;
  };

  const post = async (trx: Knex.Transaction, actor: Actor, r: RefundRequest, refundId: string, orderId: string | null, refundNo: string) => {
    let bill;
    try {
      bill = await postLedgerEntry(trx, { billId: r.billId, kind: 'refund', amount: r.amount, orderId, actorAccountId: actor.accountId, reason: r.reason });
    } catch (e) {
      if (e instanceof BillConstraintError) throw new ConsoleError(BILL_REFUSED, 'amount');
      throw e;
    }
    if (orderId) {
      // The order's own refunded total and state (paid → partly refunded → refunded), compare-and-set.
      await trx('orders').where('id', orderId).whereIn('status', ['paid', 'partly_refunded'])
        .update({
          refunded: trx.raw('refunded + ?', [r.amount.toFixed(2)]),
          status: trx.raw(`CASE WHEN refunded + ? >= amount THEN 'refunded' ELSE 'partly_refunded' END`, [r.amount.toFixed(2)]),
          updated_at: trx.fn.now(),
        });
    }
    // An overpayment flagged on this bill that the refund has paid back is closed with it.
    await closeFlagsCoveredByRefund(trx, { id: r.billId, ...bill }, refundNo);
    await audit.record({
      actorAccountId: actor.accountId, action: `refund.${r.mode}`, targetPersonId: r.personId, ip: actor.ip,
      detail: { refundId, refundNo, billId: r.billId, amount: r.amount.toFixed(2), reason: r.reason, ...(actor.ip === 'job' ? { settledBy: 'refund-query' } : {}) },
    }, trx);
  };

  const refundable = (s: { paid: Decimal; refunded: Decimal; pending: Decimal }) => s.paid.minus(s.refunded).minus(s.pending);

  return {
    async refund(actor: Actor, collegeScope: number | null, r: RefundRequest): Promise<{ refundNo: string; status: 'succeeded' | 'pending' }> {
      if (r.mode === 'offline') {
        return db.transaction(async (trx) => {
          const s = await lockBill(trx, r.billId, r.personId, collegeScope);
          const max = refundable(s);
          if (r.amount.greaterThan(max)) throw new ConsoleError(`退费金额不能超过该账单可退金额 ${max.toFixed(2)} 元`, 'amount');
          const refundNo = await nextRefundNo(trx);
          const [row] = await trx('refunds').insert({
            refund_no: refundNo, bill_id: r.billId, amount: r.amount.toFixed(2), channel: null, status: 'succeeded', reason: r.reason, actor_account_id: actor.accountId,
          }).returning('id');
          await post(trx, actor, r, String(row.id), null, refundNo);
          return { refundNo, status: 'succeeded' as const };
        });
      }

      // Through the channel the bill was paid with: the order named (an overpayment's own), else
      // the latest paid order carrying this bill.
      const reserved = await db.transaction(async (trx) => {
        const s = await lockBill(trx, r.billId, r.personId, collegeScope);
        const max = refundable(s);
        if (r.amount.greaterThan(max)) throw new ConsoleError(`退费金额不能超过该账单可退金额 ${max.toFixed(2)} 元`, 'amount');
        const q = trx('order_lines as ol').join('orders as o', 'o.id', 'ol.order_id')
          .where('ol.bill_id', r.billId).whereIn('o.status', ['paid', 'partly_refunded']).whereNotNull('o.channel');
        if (r.orderId) q.where('o.id', r.orderId);
        else q.orderBy('o.paid_at', 'desc').orderBy('o.id', 'desc');
        const order = await q.first('o.id', 'o.order_no as orderNo', 'o.channel', 'o.amount', 'o.refunded', 'o.total', 'o.category', 'o.created_at as createdAt', 'o.expires_at as expiresAt', 'ol.amount as lineAmount');
        if (!order) throw new ConsoleError(r.orderId ? '原订单不存在或已全额退款，请选择线下退费' : '该账单没有网上支付的订单，请选择线下退费', 'mode');
        const gateway = deps.gateways?.get(order.channel) ?? null;
        if (!gateway) throw new ConsoleError('该支付渠道的退费接口未接入，请选择线下退费', 'mode');
        const [{ pendingOnOrder }] = await trx('refunds').where({ order_id: order.id, status: 'pending' }).select(trx.raw('COALESCE(sum(amount), 0) AS "pendingOnOrder"'));
        const orderLeft = dec(order.amount).minus(dec(order.refunded)).minus(dec(pendingOnOrder));
        if (r.amount.greaterThan(orderLeft)) throw new ConsoleError(`退费金额不能超过原订单可退金额 ${orderLeft.toFixed(2)} 元`, 'amount');
        // On this bill's line of the order, what is not yet refunded or reserved.
        const [{ onLine }] = await trx('refunds').where({ order_id: order.id, bill_id: r.billId }).whereIn('status', ['pending', 'succeeded'])
          .select(trx.raw('COALESCE(sum(amount), 0) AS "onLine"'));
        const lineLeft = dec(order.lineAmount).minus(dec(onLine));
        if (r.amount.greaterThan(lineLeft)) throw new ConsoleError(`退费金额不能超过原订单该账单可退金额 ${Decimal.max(0, lineLeft).toFixed(2)} 元`, 'amount');
        const refundNo = await nextRefundNo(trx);
        const [row] = await trx('refunds').insert({
          refund_no: refundNo, order_id: order.id, bill_id: r.billId, amount: r.amount.toFixed(2), channel: order.channel, status: 'pending', reason: r.reason, actor_account_id: actor.accountId,
        }).returning(['id', 'requested_at']);
        // The flag learns its refund number before the channel is called: if the answer is lost,
        // the job that settles the refund settles the flag too.
        if (r.overpaymentId) await trx('overpayments').where({ id: r.overpaymentId, status: 'refunding' }).update({ refund_no: refundNo, refund_requested_at: row.requested_at });
        const channelOrder = await loadChannelOrder(trx, order, deps.publicUrl ?? '');
        await audit.record({ actorAccountId: actor.accountId, action: 'refund.channel_requested', targetPersonId: r.personId, ip: actor.ip, detail: { refundNo, orderNo: order.orderNo, amount: r.amount.toFixed(2), reason: r.reason } }, trx);
        return { refundId: String(row.id), refundNo, requestedAt: new Date(row.requested_at), orderId: String(order.id), gateway, channelOrder };
      });

      let result: RefundResult;
      try {
        result = await reserved.gateway.refund(reserved.channelOrder, r.amount, reserved.refundNo, reserved.requestedAt);
      } catch (e) {
        // Unknown outcome (timeout …): the refund stays pending and keeps its amount reserved
        // until the channel is asked again (the refund-query job); refunding it offline now
        // could pay twice.
        await db('refunds').where({ id: reserved.refundId, status: 'pending' }).update({ last_error: String((e as Error).message).slice(0, 300) });
        throw new RefundUncertainError(`退费请求已提交但渠道未明确答复（${(e as Error).message}），退费单 ${reserved.refundNo} 保持“处理中”，系统将向渠道查询后自动入账或释放`, reserved.refundNo);
      }
      if (result.status === 'succeeded') {
        await settle(reserved.refundId, { status: 'succeeded', channelRefundNo: result.channelRefundNo }, actor);
        return { refundNo: reserved.refundNo, status: 'succeeded' };
      }
      if (result.status === 'pending') return { refundNo: reserved.refundNo, status: 'pending' };
      await settle(reserved.refundId, { status: 'failed', reason: result.status === 'failed' ? result.reason : 'unsupported' }, actor);
      throw new ConsoleError(result.status === 'failed' ? `渠道拒绝退费：${result.reason}` : '该渠道不支持原路退费，请选择线下退费', 'mode');
    },

    recheck,

    /**
     * The refund-query job: every channel refund still pending `afterMinutes` after it was asked
     * for is asked about again (oldest first, a bounded batch per run).
     */
    async recheckPending(now: Date, afterMinutes: number, limit = 100): Promise<Record<RecheckOutcome, number>> {
      const out: Record<RecheckOutcome, number> = { succeeded: 0, failed: 0, pending: 0, unanswered: 0, mismatch: 0, skipped: 0 };
      const ids = await db('refunds').where('status', 'pending').whereNotNull('channel').whereNotNull('order_id')
        .where('requested_at', '<=', new Date(now.getTime() - afterMinutes * 60_000)).orderBy('requested_at').limit(limit).pluck('id');
      for (const id of ids) out[await recheck(String(id))]++;
      return out;
    },
  };

  /**
   * Ends a pending channel refund, once (compare-and-set on the pending row, under the bill's
   * lock): a success posts the ledger entry with the same `post` as an immediate success; a
   * failure releases the reserved amount. A one-click overpayment waiting on it follows.
   */
  async function settle(refundId: string, outcome: { status: 'succeeded'; channelRefundNo: string } | { status: 'failed'; reason: string }, actor?: Actor): Promise<boolean> {
    return db.transaction(async (trx) => {
      const row = await trx('refunds as r').join('bills as b', 'b.id', 'r.bill_id').where('r.id', refundId)
        .first('r.id', 'r.refund_no', 'r.order_id', 'r.bill_id', 'r.amount', 'r.reason', 'r.actor_account_id', 'b.person_id');
      if (!row) return false;
      await lockBill(trx, row.bill_id, row.person_id, null);
      const who = actor ?? { ...JOB_ACTOR, accountId: row.actor_account_id };
      if (outcome.status === 'succeeded') {
        const n = await trx('refunds').where({ id: refundId, status: 'pending' }).update({ status: 'succeeded', channel_refund_no: outcome.channelRefundNo.slice(0, 64), settled_at: trx.fn.now(), last_error: null });
        if (n !== 1) return false;
        await post(trx, who, { personId: row.person_id, billId: row.bill_id, amount: dec(row.amount), mode: 'channel', reason: row.reason }, refundId, String(row.order_id), row.refund_no);
        await trx('overpayments').where({ refund_no: row.refund_no, status: 'refunding' }).update({ status: 'refunded', resolved_at: trx.fn.now() });
        return true;
      }
      const n = await trx('refunds').where({ id: refundId, status: 'pending' }).update({ status: 'failed', settled_at: trx.fn.now(), last_error: outcome.reason.slice(0, 300) });
      if (n !== 1) return false;
      await trx('overpayments').where({ refund_no: row.refund_no, status: 'refunding' }).update({ status: 'failed', note: `渠道退款失败：${outcome.reason}`.slice(0, 300) });
      await audit.record({
        actorAccountId: who.accountId, action: 'refund.channel_failed', targetPersonId: row.person_id, ip: who.ip,
        detail: { refundId, refundNo: row.refund_no, billId: row.bill_id, amount: dec(row.amount).toFixed(2), reason: outcome.reason },
      }, trx);
      return true;
    });
  }

  /** Asks the channel about one pending refund and settles it from the answer. */
  async function recheck(refundId: string): Promise<RecheckOutcome> {
    const row = await db('refunds as r').join('orders as o', 'o.id', 'r.order_id').where('r.id', refundId)
      .first('r.status', 'r.refund_no as refundNo', 'r.amount', 'r.requested_at as requestedAt', 'r.channel as refundChannel',
        'o.id', 'o.order_no as orderNo', 'o.channel', 'o.total', 'o.category', 'o.created_at as createdAt', 'o.expires_at as expiresAt');
    if (!row || row.status !== 'pending' || !row.refundChannel) return 'skipped';
    const gateway = deps.gateways?.get(row.refundChannel) ?? null;
    if (!gateway) return 'skipped';
    const amount = dec(row.amount);
    const ref: RefundRef = { refundNo: row.refundNo, amount, requestedAt: new Date(row.requestedAt) };
    const touch = (error: string | null) => db('refunds').where({ id: refundId, status: 'pending' })
      .update({ checks: db.raw('checks + 1'), last_checked_at: db.fn.now(), ...(error === null ? {} : { last_error: error.slice(0, 300) }) });
    let answer: RefundQueryResult;
    try {
      const order = await loadChannelOrder(db, { ...row, channel: row.refundChannel }, deps.publicUrl ?? '');
      answer = await gateway.queryRefund(order, ref);
      if (answer.status === 'not_found') {
        // The channel never saw it: ask again under the same number, as a new request of the
        // current time (UnionPay names a transaction by orderId + txnTime and wants txnTime to be
        // now). The time is kept before the call, so the next query asks about this request.
        // Compare-and-set on the time we asked about: two instances (a slot overrun) may both have
        // heard 34 about the same request; only the one that moves the time on sends, else the
        // two new requests (two txnTimes) would be two refunds.
        const retryAt = new Date();
        const moved = await db('refunds').where({ id: refundId, status: 'pending' }).where(sameInstant('requested_at', ref.requestedAt))
          .update({ requested_at: retryAt });
        if (moved !== 1) return 'pending';
        await db('overpayments').where({ refund_no: ref.refundNo, status: 'refunding' }).update({ refund_requested_at: retryAt });
        const again = await gateway.refund(order, amount, ref.refundNo, retryAt);
        answer = again.status === 'succeeded' ? { status: 'succeeded', channelRefundNo: again.channelRefundNo, amount }
          : again.status === 'pending' ? { status: 'pending' } : again.status === 'failed' ? again : { status: 'unsupported' };
      }
    } catch (e) {
      if (!(e instanceof ChannelError)) throw e;
      await touch(e.message);
      return 'unanswered';
    }
    if (answer.status === 'succeeded') {
      if (!answer.amount.eq(amount)) {
        // The channel refunded something else under our number: finance decides, nothing posted.
        await touch(`渠道退款金额 ${answer.amount.toFixed(2)} 与退费单 ${amount.toFixed(2)} 不符`);
        return 'mismatch';
      }
      return (await settle(refundId, answer)) ? 'succeeded' : 'skipped';
    }
    if (answer.status === 'failed') return (await settle(refundId, answer)) ? 'failed' : 'skipped';
    await touch(null);
    return 'pending';
  }
}

/** The adapter's view of an order: plain values only. */
async function loadChannelOrder(trx: Knex, o: any, publicUrl: string): Promise<ChannelOrder> {
  const person = await trx('orders as o').join('people as p', 'p.id', 'o.person_id').where('o.id', o.id).first('p.number', 'p.name', 'p.mobile');
  const lines = await trx('order_lines as ol').join('bills as b', 'b.id', 'ol.bill_id').join('fee_items as fi', 'fi.id', 'b.fee_item_id')
    .join('fee_periods as fp', 'fp.id', 'b.period_id').where('ol.order_id', o.id)
    .select('fi.code as itemCode', 'fi.name as itemName', 'fp.name as periodName', 'ol.amount');
  const attempt = await trx('payment_attempts').where({ order_id: o.id, channel: o.channel }).orderBy('id', 'desc').first('channel_order_id');
  return {
    orderNo: o.orderNo, total: dec(o.total), category: o.category, createdAt: o.createdAt, expiresAt: o.expiresAt,
    payer: { number: person.number, name: person.name, mobile: person.mobile },
    lines: lines.map((l: any) => ({ ...l, amount: dec(l.amount) })),
    subject: lines.map((l: any) => l.itemName).join('、'),
    notifyUrl: `${publicUrl}/pay/notify/${o.channel}`, returnUrl: `${publicUrl}/transactions`,
    channelOrderId: attempt?.channel_order_id ?? null,
  };
}


export type RefundsService = ReturnType<typeof refundsService>;
