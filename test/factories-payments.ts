// Payments as crediting leaves them, without waiting for the wizard: a paid order with its lines,
// the channel attempt (paid) and its raw traffic, the receipt (支付平台, 待生成) and the ledger
// payments; an order that was never paid; and a counter payment recorded by a cashier.
import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { businessDate } from '../src/domain/business-date';
import { Decimal, sum } from '../src/domain/money';
import { formatOrderNo } from '../src/domain/order-number';
import { insertReceipt, postLedgerEntry } from '../src/modules/billing/repo';

export interface PaidLine {
  billId: number;
  amount: string;
}

export interface OrderOpts {
  personId: number;
  lines: PaidLine[];
  channel: 'nontax' | 'wechat' | 'icbc' | 'alipay' | 'unionpay';
  category?: '财政' | '代收';
  at?: Date;
  fee?: string;
  notifyMobile?: string;
  ebillStatus?: '待生成' | '已生成' | '其他票据';
}

const minutes = (at: Date, n: number) => new Date(at.getTime() + n * 60_000);

async function nextOrderNo(trx: Knex.Transaction, at: Date): Promise<string> {
  const { rows } = await trx.raw(
    `INSERT INTO order_serials (day, last) VALUES (?, 1) ON CONFLICT (day) DO UPDATE SET last = order_serials.last + 1 RETURNING last`,
    [businessDate(at)],
  );
  return formatOrderNo(at, 'LUT', Number(rows[0].last));
}

async function insertOrder(trx: Knex.Transaction, o: OrderOpts, status: string, at: Date) {
  const amount = sum(o.lines.map((l) => l.amount));
  const fee = new Decimal(o.fee ?? '0');
  const orderNo = await nextOrderNo(trx, at);
  const [order] = await trx('orders')
    .insert({
      order_no: orderNo, person_id: o.personId, category: o.category ?? '财政', status, amount: amount.toFixed(2), fee: fee.toFixed(2),
      total: amount.plus(fee).toFixed(2), channel: o.channel, notify_mobile: o.notifyMobile ?? '', created_at: at, expires_at: minutes(at, 120),
      paid_at: status === 'paid' ? minutes(at, 1) : null, closed_at: status === 'closed' ? minutes(at, 120) : null,
    })
    .returning('id');
  await trx('order_lines').insert(o.lines.map((l) => ({ order_id: order.id, bill_id: l.billId, amount: l.amount })));
  return { orderId: String(order.id), orderNo, amount, fee };
}

async function insertAttempt(trx: Knex.Transaction, orderId: string, orderNo: string, o: OrderOpts, amount: Decimal, fee: Decimal, status: string, at: Date) {
  const tradeNo = status === 'paid' ? `${o.channel.toUpperCase()}${randomBytes(8).toString('hex')}` : null;
  const [attempt] = await trx('payment_attempts')
    .insert({
      order_id: orderId, channel: o.channel,
      channel_order_id: o.channel === 'nontax' ? `62000026300${String(Date.now()).slice(-9)}` : orderNo,
      channel_trade_no: tradeNo, amount: amount.toFixed(2), fee: fee.toFixed(2), status, created_at: at,
      paid_at: status === 'paid' ? minutes(at, 1) : null,
    })
    .returning('id');
  return { attemptId: String(attempt.id), tradeNo };
}

async function event(trx: Knex.Transaction, attemptId: string, orderNo: string, channel: string, kind: string, outcome: string, at: Date, verified = true) {
  await trx('channel_events').insert({ channel, attempt_id: attemptId, order_no: orderNo, kind, verified, outcome, body: '{}', created_at: at });
}

/** An order paid through `channel`, credited: receipt 待生成 (unless told), ledger payments. */
export async function paidOrder(db: Knex, o: OrderOpts) {
  const at = o.at ?? new Date();
  return db.transaction(async (trx) => {
    const { orderId, orderNo, amount, fee } = await insertOrder(trx, o, 'paid', at);
    const { attemptId, tradeNo } = await insertAttempt(trx, orderId, orderNo, o, amount, fee, 'paid', at);
    await event(trx, attemptId, orderNo, o.channel, 'create', 'sent', at);
    await event(trx, attemptId, orderNo, o.channel, 'notify', 'credited', minutes(at, 1));
    const receipt = await insertReceipt(trx, {
      personId: o.personId, orderId, receiptDate: businessDate(minutes(at, 1)), preparer: '支付平台', category: o.category ?? '财政',
      method: 'online', ebillStatus: o.ebillStatus ?? '待生成', lines: o.lines.map((l) => ({ billId: l.billId, amount: new Decimal(l.amount) })),
    });
    for (const l of o.lines) {
      await postLedgerEntry(trx, { billId: l.billId, kind: 'payment', amount: new Decimal(l.amount), orderId, receiptId: receipt.id, reason: '在线缴费' });
    }
    return { orderId, orderNo, attemptId, tradeNo, receiptId: receipt.id, receiptNo: receipt.receiptNo };
  });
}

/** An order sent to a channel and never paid: queried, then closed. */
export async function unpaidOrder(db: Knex, o: OrderOpts & { status?: 'closed' | 'paying' }) {
  const at = o.at ?? new Date();
  const status = o.status ?? 'closed';
  return db.transaction(async (trx) => {
    const { orderId, orderNo, amount, fee } = await insertOrder(trx, o, status, at);
    const { attemptId } = await insertAttempt(trx, orderId, orderNo, o, amount, fee, status === 'closed' ? 'closed' : 'sent', at);
    await event(trx, attemptId, orderNo, o.channel, 'create', 'sent', at);
    await event(trx, attemptId, orderNo, o.channel, 'query', 'NOTPAY', minutes(at, 30));
    if (status === 'closed') await event(trx, attemptId, orderNo, o.channel, 'close', 'closed', minutes(at, 120));
    return { orderId, orderNo, attemptId };
  });
}

/** Paid at the finance counter: receipt by the cashier, no order, a paper bill (其他票据). */
export async function counterPayment(db: Knex, o: { personId: number; lines: PaidLine[]; cashier?: string; date: string; category?: '财政' | '代收' }) {
  return db.transaction(async (trx) => {
    const receipt = await insertReceipt(trx, {
      personId: o.personId, receiptDate: o.date, preparer: o.cashier ?? '高峰', category: o.category ?? '财政', method: 'cash',
      ebillStatus: '其他票据', lines: o.lines.map((l) => ({ billId: l.billId, amount: new Decimal(l.amount) })),
    });
    for (const l of o.lines) {
      await postLedgerEntry(trx, { billId: l.billId, kind: 'payment', amount: new Decimal(l.amount), receiptId: receipt.id, reason: '柜台缴费' });
    }
    return { receiptId: receipt.id, receiptNo: receipt.receiptNo };
  });
}
