// 退费: full or partial, offline (money handed back outside the platform) or through the original
// channel's refund API. A refund is a `refunds` row plus a `refund` ledger entry that raises the
// bill's 退费金额; it can never exceed what was paid on that bill (checked under the bill's row
// lock, and the bills CHECK refunded <= paid backs it up).
//
// Channel refunds follow "write locally, then call the gateway": the refund is recorded as
// pending (which reserves the amount), the channel is called outside any transaction, and only a
// success posts the ledger entry.
import type { Knex } from 'knex';
import { orderDatePart } from '../../../domain/business-date';
import { dec } from '../../../db/rows';
import type { Decimal } from '../../../domain/money';
import type { ChannelOrder, RefundResult } from '../../../gateways/types';
import type { AuditRepo } from '../../audit/repo';
import { BillConstraintError, postLedgerEntry } from '../../billing/repo';
import { type Actor, ConsoleError } from '../context';
import { BILL_REFUSED } from '../messages';

/** The part of the gateway registry a refund needs (GatewayRegistry satisfies it). */
export interface RefundGateways {
  get(channel: string): { refund(order: ChannelOrder, amount: Decimal, refundNo: string): Promise<RefundResult> } | null;
}

export interface RefundRequest {
  personId: number;
  billId: number;
  amount: Decimal;
  mode: 'offline' | 'channel';
  reason: string;
}

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

  const post = async (trx: Knex.Transaction, actor: Actor, r: RefundRequest, refundId: string, orderId: string | null) => {
    try {
      await postLedgerEntry(trx, { billId: r.billId, kind: 'refund', amount: r.amount, orderId, actorAccountId: actor.accountId, reason: r.reason });
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
    await audit.record({
      actorAccountId: actor.accountId, action: `refund.${r.mode}`, targetPersonId: r.personId, ip: actor.ip,
      detail: { refundId, billId: r.billId, amount: r.amount.toFixed(2), reason: r.reason },
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
          await post(trx, actor, r, String(row.id), null);
          return { refundNo, status: 'succeeded' as const };
        });
      }

      // Through the channel the bill was paid with: the latest paid order carrying this bill.
      const reserved = await db.transaction(async (trx) => {
        const s = await lockBill(trx, r.billId, r.personId, collegeScope);
        const max = refundable(s);
        if (r.amount.greaterThan(max)) throw new ConsoleError(`退费金额不能超过该账单可退金额 ${max.toFixed(2)} 元`, 'amount');
        const order = await trx('order_lines as ol').join('orders as o', 'o.id', 'ol.order_id')
          .where('ol.bill_id', r.billId).whereIn('o.status', ['paid', 'partly_refunded']).whereNotNull('o.channel')
          .orderBy('o.paid_at', 'desc').first('o.id', 'o.order_no as orderNo', 'o.channel', 'o.amount', 'o.refunded', 'o.total', 'o.category', 'o.created_at as createdAt', 'o.expires_at as expiresAt', 'ol.amount as lineAmount');
        if (!order) throw new ConsoleError('该账单没有网上支付的订单，请选择线下退费', 'mode');
        const gateway = deps.gateways?.get(order.channel) ?? null;
        if (!gateway) throw new ConsoleError('该支付渠道的退费接口未接入，请选择线下退费', 'mode');
        const [{ pendingOnOrder }] = await trx('refunds').where({ order_id: order.id, status: 'pending' }).select(trx.raw('COALESCE(sum(amount), 0) AS "pendingOnOrder"'));
        const orderLeft = dec(order.amount).minus(dec(order.refunded)).minus(dec(pendingOnOrder));
        if (r.amount.greaterThan(orderLeft)) throw new ConsoleError(`退费金额不能超过原订单可退金额 ${orderLeft.toFixed(2)} 元`, 'amount');
        const refundNo = await nextRefundNo(trx);
        const [row] = await trx('refunds').insert({
          refund_no: refundNo, order_id: order.id, bill_id: r.billId, amount: r.amount.toFixed(2), channel: order.channel, status: 'pending', reason: r.reason, actor_account_id: actor.accountId,
        }).returning('id');
        const channelOrder = await loadChannelOrder(trx, order, deps.publicUrl ?? '');
        await audit.record({ actorAccountId: actor.accountId, action: 'refund.channel_requested', targetPersonId: r.personId, ip: actor.ip, detail: { refundNo, orderNo: order.orderNo, amount: r.amount.toFixed(2), reason: r.reason } }, trx);
        return { refundId: String(row.id), refundNo, orderId: String(order.id), gateway, channelOrder };
      });

      let result: RefundResult;
      try {
        result = await reserved.gateway.refund(reserved.channelOrder, r.amount, reserved.refundNo);
      } catch (e) {
        // Unknown outcome (timeout …): the refund stays pending and keeps its amount reserved
        // until the channel is asked again; refunding it offline now could pay twice.
        throw new ConsoleError(`退费请求已提交但渠道未明确答复（${(e as Error).message}），退费单 ${reserved.refundNo} 保持“处理中”，请稍后核对`, 'mode');
      }
      if (result.status === 'succeeded') {
        await db.transaction(async (trx) => {
          await lockBill(trx, r.billId, r.personId, collegeScope);
          const n = await trx('refunds').where({ id: reserved.refundId, status: 'pending' }).update({ status: 'succeeded' });
          if (n === 1) await post(trx, actor, r, reserved.refundId, reserved.orderId);
        });
        return { refundNo: reserved.refundNo, status: 'succeeded' };
      }
      if (result.status === 'pending') return { refundNo: reserved.refundNo, status: 'pending' };
      await db('refunds').where({ id: reserved.refundId, status: 'pending' }).update({ status: 'failed' });
      throw new ConsoleError(result.status === 'failed' ? `渠道拒绝退费：${result.reason}` : '该渠道不支持原路退费，请选择线下退费', 'mode');
    },
  };
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
