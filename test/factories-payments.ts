// Payments as crediting leaves them, without waiting for the wizard: an order sent to a channel
// (its lines, the attempt and its create event), then credited by the payment module's own
// crediting (the order paid, the bills' ledger payments, the receipt by 支付平台 待生成, the attempt
// paid with the channel's trade number, the SMS, the notify event); an order that was never paid;
// and a counter payment recorded by a cashier. Parents not given are made (buildBill).
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { loadConfig } from '../src/config';
import { businessDate } from '../src/domain/business-date';
import { Decimal, sum } from '../src/domain/money';
import { formatOrderNo } from '../src/domain/order-number';
import { insertReceipt, postLedgerEntry } from '../src/modules/billing/repo';
import { poolOver } from '../src/db/connection';
import type { PaymentService } from '../src/modules/payment';
import { nextOrderSerial } from '../src/modules/payment/orders-repo';
import { buildBill, person } from './factories';
import { testServices } from './helpers/services';

export interface PaidLine {
  billId: number;
  amount: string;
}

export type OrderChannel = 'nontax' | 'wechat' | 'icbc' | 'alipay' | 'unionpay';

export interface OrderOpts {
  personId: number;
  lines: PaidLine[];
  channel: OrderChannel;
  category?: '财政' | '代收';
  at?: Date;
  fee?: string;
  notifyMobile?: string;
  ebillStatus?: '待生成' | '已生成' | '其他票据';
}

/** OrderOpts with every parent optional: a person, and one bill of 100.00 of the category, are made when not given. */
export type BuildOrderOpts = Partial<OrderOpts>;

const minutes = (at: Date, n: number) => new Date(at.getTime() + n * 60_000);

/** The payment service over the test's database, for its crediting (one per database). */
const services = new WeakMap<Knex, PaymentService>();
function paymentOf(db: Knex) {
  let s = services.get(db);
  if (!s) {
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: 'postgres://unused', SESSION_SECRET: 'factories-secret-factories-secret-0123456789', LOG_LEVEL: 'silent', SANDBOX: '0', DATA_DIR: mkdtempSync(path.join(tmpdir(), 'cupp-factories-')) });
    // No e-bill kick: a factory's receipts get their e-bills when the test issues them.
    s = testServices({ config, db: { knex: db, pool: poolOver(db) }, afterCredit: () => undefined }).payment;
    services.set(db, s);
  }
  return s;
}

/** The parents a paid or unpaid order needs, made when not given. */
async function complete(db: Knex, o: BuildOrderOpts): Promise<OrderOpts> {
  const channel = o.channel ?? 'nontax';
  const category = o.category ?? '财政';
  const personId = o.personId ?? (await person(db)).personId;
  const lines = o.lines ?? [{ billId: (await buildBill(db, { personId, category, due: '100.00' })).id, amount: '100.00' }];
  return { ...o, personId, lines, channel, category };
}

/** The order sent to its channel: order (paying or as told), lines, the attempt and its create event. */
async function sentOrder(db: Knex, o: OrderOpts, status: string, attemptStatus: string, at: Date) {
  const amount = sum(o.lines.map((l) => l.amount));
  const fee = new Decimal(o.fee ?? '0');
  const total = amount.plus(fee);
  // The day's serial from the platform's own counter, so that orders the test makes later do not collide.
  const serial = await nextOrderSerial(db, businessDate(at));
  const orderNo = formatOrderNo(at, 'LUT', serial!);
  return db.transaction(async (trx) => {
    const [order] = await trx('orders')
      .insert({
        order_no: orderNo, person_id: o.personId, category: o.category ?? '财政', status, amount: amount.toFixed(2), fee: fee.toFixed(2),
        total: total.toFixed(2), channel: o.channel, notify_mobile: o.notifyMobile ?? '', created_at: at, expires_at: minutes(at, 120),
        closed_at: status === 'closed' ? minutes(at, 120) : null,
      })
      .returning('id');
    const orderId = String(order.id);
    await trx('order_lines').insert(o.lines.map((l) => ({ order_id: orderId, bill_id: l.billId, amount: l.amount })));
    const channelOrderId = o.channel === 'nontax' ? `62000026300${String(randomInt(1e9)).padStart(9, '0')}` : orderNo;
    const [attempt] = await trx('payment_attempts')
      .insert({ order_id: orderId, channel: o.channel, channel_order_id: channelOrderId, amount: total.toFixed(2), fee: fee.toFixed(2), status: attemptStatus, created_at: at })
      .returning('id');
    const attemptId = String(attempt.id);
    await event(trx, attemptId, orderNo, o.channel, 'create', 'sent', at);
    return { orderId, orderNo, attemptId, channelOrderId, total };
  });
}

async function event(trx: Knex, attemptId: string, orderNo: string, channel: string, kind: string, outcome: string, at: Date, verified = true) {
  await trx('channel_events').insert({ channel, attempt_id: attemptId, order_no: orderNo, kind, verified, outcome, body: '{}', created_at: at });
}

/**
 * An order paid through `channel`, credited by the payment module's crediting as a verified
 * notification would be, a minute after `at`: receipt 待生成 (unless told), ledger payments.
 */
export async function buildPaidOrder(db: Knex, opts: BuildOrderOpts = {}) {
  const o = await complete(db, opts);
  const at = o.at ?? new Date();
  const { orderId, orderNo, attemptId, channelOrderId, total } = await sentOrder(db, o, 'paying', 'sent', at);
  const tradeNo = `${o.channel.toUpperCase()}${randomBytes(8).toString('hex')}`;
  const paidAt = minutes(at, 1);
  const outcome = await paymentOf(db).credit(o.channel, { kind: 'paid', channelOrderId, orderNo, channelTradeNo: tradeNo, amount: total, paidAt }, { kind: 'notify', body: '{}' });
  if (outcome !== 'credited') throw new Error(`paidOrder: crediting answered ${outcome}`);
  // The notification arrived at paidAt, not now (a test's `at` may be years ago).
  await db('channel_events').where({ attempt_id: attemptId, kind: 'notify' }).update({ created_at: paidAt });
  const receipt = await db('receipts').where({ order_id: orderId }).first('id', 'receipt_no');
  if (o.ebillStatus && o.ebillStatus !== '待生成') await db('receipts').where({ id: receipt.id }).update({ ebill_status: o.ebillStatus });
  return { orderId, orderNo, attemptId, tradeNo, receiptId: String(receipt.id), receiptNo: receipt.receipt_no as string };
}

/** buildPaidOrder with the person and lines given. */
export const paidOrder = (db: Knex, o: OrderOpts) => buildPaidOrder(db, o);

/** An order sent to a channel and never paid: queried, then closed (or still paying). */
export async function buildUnpaidOrder(db: Knex, opts: BuildOrderOpts & { status?: 'closed' | 'paying' } = {}) {
  const o = await complete(db, opts);
  const at = o.at ?? new Date();
  const status = opts.status ?? 'closed';
  const { orderId, orderNo, attemptId } = await sentOrder(db, o, status, status === 'closed' ? 'closed' : 'sent', at);
  await event(db, attemptId, orderNo, o.channel, 'query', 'NOTPAY', minutes(at, 30));
  if (status === 'closed') await event(db, attemptId, orderNo, o.channel, 'close', 'closed', minutes(at, 120));
  return { orderId, orderNo, attemptId };
}

export const unpaidOrder = (db: Knex, o: OrderOpts & { status?: 'closed' | 'paying' }) => buildUnpaidOrder(db, o);

export interface CounterOpts {
  personId?: number;
  lines?: PaidLine[];
  cashier?: string;
  date?: string;
  category?: '财政' | '代收';
}

/**
 * Paid at the finance counter with a paper bill (其他票据), as before counter payments got their
 * e-bills (the demo's 2018 receipt): receipt by the cashier, no order, nothing for the issuer.
 */
export async function buildCounterPayment(db: Knex, opts: CounterOpts = {}) {
  const personId = opts.personId ?? (await person(db)).personId;
  const lines = opts.lines ?? [{ billId: (await buildBill(db, { personId, category: opts.category ?? '财政', due: '100.00' })).id, amount: '100.00' }];
  return db.transaction(async (trx) => {
    const receipt = await insertReceipt(trx, {
      personId, receiptDate: opts.date ?? businessDate(), preparer: opts.cashier ?? '高峰', category: opts.category ?? '财政', method: 'cash',
      ebillStatus: '其他票据', lines: lines.map((l) => ({ billId: l.billId, amount: new Decimal(l.amount) })),
    });
    for (const l of lines) {
      await postLedgerEntry(trx, { billId: l.billId, kind: 'payment', amount: new Decimal(l.amount), receiptId: receipt.id, reason: '柜台缴费' });
    }
    return { receiptId: receipt.id, receiptNo: receipt.receiptNo };
  });
}

export const counterPayment = (db: Knex, o: CounterOpts & { personId: number; lines: PaidLine[]; date: string }) => buildCounterPayment(db, o);
