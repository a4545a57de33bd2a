// 银行交易记录 (图23) of a student whose payments went every way — paid, refunded in part through
// the channel, a refund still with the channel, a second payment handed back, failed, closed, sent
// by a payer — read page by page: every row, its order, the refund notes and the refunds below
// the table, to the cent, and how many statements one GET sends to PostgreSQL (counted at the
// driver, bench/db-queries.ts: the session's read and the page's).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countQueries, queriesBetween } from '../../bench/db-queries';
import { refundsSeenBy, seenRefundsJsonSql, seenRefundsOfJson } from '../../src/modules/refunds/person-refunds-repo';
import { testApp } from '../helpers/app';
import { Client, text } from '../helpers/client';
import { testDatabase } from '../helpers/test-db';
import * as f from '../factories';
import { counterPayment, paidOrder, unpaidOrder } from '../factories-payments';

const db = await testDatabase();
const app = testApp(db);
const k = db.knex;
const PASSWORD = 'Secret#2026a';
const day = (s: string) => new Date(`${s}+08:00`);

let me: Awaited<ReturnType<typeof f.person>>;
let onlyOffline: Awaited<ReturnType<typeof f.person>>;
/** The rows of each page as the student reads them, newest first, and the refunds below the table. */
let expected: { page1: string[]; page2: string[]; refunds: string };

let refundSeq = 0;
async function refund(r: { orderId: string | null; billId: number; amount: string; channel: string | null; status: string; at: string; settled?: boolean; purpose?: 'money_back' | 'fee_reduced'; reduction?: string }) {
  const at = day(r.at);
  await k('refunds').insert({
    refund_no: `RF${String(++refundSeq).padStart(10, '0')}`, order_id: r.orderId, bill_id: r.billId, amount: r.amount, channel: r.channel, status: r.status,
    reason: '测试', created_at: at, requested_at: at, settled_at: r.settled ? at : null, purpose: r.purpose ?? 'money_back',
    reduction_cause: r.purpose === 'fee_reduced' ? 'waiver' : null, reduction_amount: r.purpose === 'fee_reduced' ? r.reduction : null,
  });
}

beforeAll(async () => {
  me = await f.person(k, { name: '钱多多', password: PASSWORD });
  onlyOffline = await f.person(k, { name: '孙小小', password: PASSWORD });
  const payer = await f.person(k, { name: '钱大山' });
  const period = await f.period(k, '2024年度(测试)');
  const item = async (name: string) => (await f.feeItem(k, { name })).id;
  const [tuition, dorm, books, insurance, meeting, misc] = [await item('学费(测试)'), await item('住宿费(测试)'), await item('教材费(测试)'), await item('保险费(测试)'), await item('会议费(测试)'), await item('杂费(测试)')];
  const bill = (personId: number, feeItemId: number, due: string) => f.bill(k, { personId, periodId: period.id, feeItemId, due });
  const bTuition = await bill(me.personId, tuition, '5000.00');
  const bDorm = await bill(me.personId, dorm, '1200.00');
  const bBooks = await bill(me.personId, books, '333.33');
  const bIns = await bill(me.personId, insurance, '250.00');
  const bMeet = await bill(me.personId, meeting, '88.88');
  const bMisc = await bill(me.personId, misc, '10.00');
  const bOffline = await bill(onlyOffline.personId, tuition, '5000.00');

  // Oldest first. Paid through 工商银行 with a fee, then 60.00 of it refunded through the channel as
  // a 减免 (and a refund that failed, which moved nothing).
  const icbc = await paidOrder(k, { personId: me.personId, channel: 'icbc', lines: [{ billId: bDorm, amount: '1200.00' }], fee: '0.02', at: day('2024-09-01T08:00:00') });
  await refund({ orderId: icbc.orderId, billId: bDorm, amount: '60.00', channel: 'icbc', status: 'succeeded', settled: true, at: '2024-09-20T10:00:00', purpose: 'fee_reduced', reduction: '60.00' });
  await refund({ orderId: icbc.orderId, billId: bDorm, amount: '500.00', channel: 'icbc', status: 'failed', at: '2024-09-21T10:00:00' });
  const closed1 = await unpaidOrder(k, { personId: me.personId, channel: 'wechat', lines: [{ billId: bTuition, amount: '5000.00' }], at: day('2024-09-02T09:00:00') });
  // Paid by 微信支付, 20.00 handed back and 13.33 more still with the channel.
  const wechat = await paidOrder(k, { personId: me.personId, channel: 'wechat', category: '代收', lines: [{ billId: bBooks, amount: '333.33' }], at: day('2024-09-03T10:11:12') });
  await refund({ orderId: wechat.orderId, billId: bBooks, amount: '20.00', channel: 'wechat', status: 'succeeded', settled: true, at: '2024-09-22T11:00:00' });
  await refund({ orderId: wechat.orderId, billId: bBooks, amount: '13.33', channel: 'wechat', status: 'pending', at: '2024-09-23T12:00:00' });
  // Failed at the channel.
  const failed = await unpaidOrder(k, { personId: me.personId, channel: 'icbc', lines: [{ billId: bTuition, amount: '5000.00' }], at: day('2024-09-04T11:00:00') });
  await k('payment_attempts').where({ id: failed.attemptId }).update({ status: 'failed' });
  await k('orders').where({ id: failed.orderId }).update({ status: 'failed' });
  // Paid through 非税缴费, then paid a second time through 支付宝: that second payment handed back.
  const twice = await paidOrder(k, { personId: me.personId, channel: 'nontax', lines: [{ billId: bIns, amount: '250.00' }], at: day('2024-09-05T12:00:00') });
  const [second] = await k('payment_attempts').insert({
    order_id: twice.orderId, channel: 'alipay', channel_order_id: `${twice.orderNo}A`, channel_trade_no: 'ALI2024090512', amount: '250.00', fee: '0.00', status: 'paid',
    created_at: day('2024-09-05T12:30:00'), paid_at: day('2024-09-05T12:31:00'),
  }).returning('id');
  await k('overpayments').insert({
    kind: 'attempt', person_id: me.personId, order_id: twice.orderId, attempt_id: second.id, channel: 'alipay', amount: '250.00', status: 'refunded',
    note: '重复支付', created_at: day('2024-09-06T09:00:00'), resolved_at: day('2024-09-07T09:00:00'),
  });
  // Sent by 钱大山, the student's mother's link.
  const byPayer = await paidOrder(k, { personId: me.personId, channel: 'wechat', category: '代收', lines: [{ billId: bMeet, amount: '88.88' }], at: day('2024-09-06T13:00:00') });
  await k('payer_links').insert({ student_id: me.personId, mobile: '13800000001', relation: '母亲', name: '钱大山', payer_id: payer.personId, status: 'active', accepted_at: day('2024-08-01T00:00:00') });
  await k('orders').where({ id: byPayer.orderId }).update({ payer_id: payer.personId });
  // Closed ones, and the newest written a microsecond before the next second (both engines' Dates drop it).
  const closedLater: Awaited<ReturnType<typeof unpaidOrder>>[] = [];
  for (let i = 0; i < 5; i++) {
    closedLater.push(await unpaidOrder(k, { personId: me.personId, channel: i % 2 ? 'alipay' : 'unionpay', lines: [{ billId: bMisc, amount: '10.00' }], at: day(`2024-10-0${i + 1}T14:00:00`) }));
  }
  await k.raw(`UPDATE payment_attempts SET created_at = '2024-10-05 14:59:59.999999+08' WHERE id = ?`, [closedLater[4]!.attemptId]);
  // A counter payment refunded offline: a refund below the table, through no bank record.
  await counterPayment(k, { personId: me.personId, lines: [{ billId: bMisc, amount: '10.00' }], date: '2024-08-30' });
  await refund({ orderId: null, billId: bMisc, amount: '10.00', channel: null, status: 'succeeded', settled: true, at: '2024-10-10T15:00:00' });
  // The other student's only refund is offline, of a counter payment: no bank records at all.
  await counterPayment(k, { personId: onlyOffline.personId, lines: [{ billId: bOffline, amount: '5000.00' }], date: '2024-08-30' });
  await refund({ orderId: null, billId: bOffline, amount: '1234.56', channel: null, status: 'pending', at: '2024-10-11T16:00:00' });

  const row = (no: string, when: string, bank: string, amount: string, fee: string, traded: string, paid: boolean, note = '', payerNote = '') =>
    `${no}${payerNote} ${when} ${bank} ¥ ${amount} ¥ ${fee} ¥ ${traded} ${paid ? '是' : '否'}${note} 明细`;
  const closedRow = (o: { orderNo: string }, i: number) => row(o.orderNo, `2024-10-0${i + 1} 14:${i === 4 ? '59:59' : '00:00'}`, i % 2 ? '支付宝' : '银联在线', '10.00', '0.00', '0.00', false);
  expected = {
    page1: [
      ...closedLater.map(closedRow).reverse(),
      row(byPayer.orderNo, '2024-09-06 13:00:00', '微信支付', '88.88', '0.00', '88.88', true, '', ' 缴费人：钱大山（母亲）'),
      row(twice.orderNo, '2024-09-05 12:30:00', '支付宝', '250.00', '0.00', '250.00', true, ' 已退款 250.00 元，退款日期 2024-09-07，原路退回支付宝'),
      row(twice.orderNo, '2024-09-05 12:00:00', '非税缴费', '250.00', '0.00', '250.00', true),
      row(failed.orderNo, '2024-09-04 11:00:00', '工商银行', '5,000.00', '0.00', '0.00', false),
      // 33.33 of it back or on its way, the refund still with the channel dating it.
      row(wechat.orderNo, '2024-09-03 10:11:12', '微信支付', '333.33', '0.00', '333.33', true, ' 退款处理中 33.33 元，申请日期 2024-09-23，将原路退回微信支付'),
    ],
    page2: [
      row(closed1.orderNo, '2024-09-02 09:00:00', '微信支付', '5,000.00', '0.00', '0.00', false),
      row(icbc.orderNo, '2024-09-01 08:00:00', '工商银行', '1,200.00', '0.02', '1,200.02', true, ' 已退款 60.00 元，退款日期 2024-09-20，原路退回工商银行'),
    ],
    refunds: [
      '退款记录 退款日期 收费项目 退款金额 退款方式 退款状态 说明',
      '2024-10-10 2024年度(测试) 杂费(测试) ¥ 10.00 财务处线下退款 已退款 退回多缴或误缴的款项',
      '2024-09-23 2024年度(测试) 教材费(测试) ¥ 13.33 原路退回微信支付 退款处理中 退回多缴或误缴的款项',
      '2024-09-22 2024年度(测试) 教材费(测试) ¥ 20.00 原路退回微信支付 已退款 退回多缴或误缴的款项',
      '2024-09-20 2024年度(测试) 住宿费(测试) ¥ 60.00 原路退回工商银行 已退款 减免退费，应缴金额减免 60.00 元',
      `2024-09-07 订单 ${twice.orderNo} ¥ 250.00 原路退回支付宝 已退款 重复支付的款项退回`,
    ].join(' '),
  };
});

const counter = countQueries(() => false);
afterAll(() => counter.stop());

/** The page as the signed-in student reads it, and the statements its GET sent. */
async function read(c: Client, path: string) {
  const before = counter.read();
  const res = await c.get(path);
  const sent = queriesBetween(before, counter.read());
  expect(res.status).toBe(200);
  const t = text(res.text);
  const table = /银行订单 订单日期 订单时间 交易银行 订单金额 手续费 交易金额 支付状态 操作 (.*?) 总共 /.exec(t)?.[1] ?? '';
  return { t, table, refunds: /(退款记录 .*?) *$/.exec(t.slice(t.indexOf('总共 ')))?.[1] ?? '', sent };
}

async function signedIn(p: { number: string }) {
  const c = new Client(app);
  expect((await c.login(p.number, PASSWORD)).status).toBe(303);
  return c;
}

describe('银行交易记录 of a student who paid every way', () => {
  it('shows each attempt newest first with its refund note, every refund below, the pages, to the cent', async () => {
    const c = await signedIn(me);
    const p1 = await read(c, '/transactions/bank');
    expect(p1.table).toBe(expected.page1.join(' '));
    expect(p1.t).toContain('总共 12条记录 总共 2页 第 1页');
    expect(p1.refunds.startsWith(expected.refunds)).toBe(true);

    const p2 = await read(c, '/transactions/bank?page=2');
    expect(p2.table).toBe(expected.page2.join(' '));
    expect(p2.t).toContain('总共 12条记录 总共 2页 第 2页');
    expect(p2.refunds.startsWith(expected.refunds)).toBe(true);

    // Past the end: the last page, saying so.
    const p9 = await read(c, '/transactions/bank?page=9');
    expect(p9.table).toBe(expected.page2.join(' '));
    expect(p9.t).toContain('页码超出范围，已显示第 2 页');
    expect(p9.t).toContain('总共 12条记录 总共 2页 第 2页');
  });

  it('a student with no bank records sees the empty table and their offline refund', async () => {
    const c = await signedIn(onlyOffline);
    for (const path of ['/transactions/bank', '/transactions/bank?page=3']) {
      const p = await read(c, path);
      expect(p.table).toBe('暂无银行交易记录');
      expect(p.t).toContain('总共 0条记录 总共 1页 第 1页');
      expect(p.refunds.startsWith('退款记录 退款日期 收费项目 退款金额 退款方式 退款状态 说明 2024-10-11 2024年度(测试) 学费(测试) ¥ 1,234.56 财务处线下退款 退款处理中 退回多缴或误缴的款项')).toBe(true);
    }
  });

  it('the refunds below the table are what refundsSeenBy reads (the 明细 and 已缴费信息 pages’ query), in the same order', async () => {
    for (const p of [me, onlyOffline]) {
      const { rows: [r] } = await k.raw(`SELECT ${seenRefundsJsonSql('?')} AS refunds`, [p.personId, p.personId]);
      const seen = seenRefundsOfJson(r.refunds);
      expect(seen.length).toBeGreaterThan(0);
      expect(seen).toEqual(await refundsSeenBy(k, p.personId));
    }
  });

  it('the first page comes in the session’s own statement; any other page costs one statement more', async () => {
    const c = await signedIn(me);
    await read(c, '/transactions/bank'); // the connection's first use prepares the statements
    for (const [path, statements] of [['/transactions/bank', 1], ['/transactions/bank?page=2', 2], ['/transactions/bank?page=9', 2]] as const) {
      const { sent } = await read(c, path);
      expect({ path, statements: sent.statements, texts: [...sent.byText.keys()] }).toMatchObject({ path, statements });
    }
    const none = await read(await signedIn(onlyOffline), '/transactions/bank');
    expect(none.sent.statements).toBe(1);
  });
});
