// 交易查询 (图23–图28): bank records, paid-fee records with their filters, receipt
// detail, e-bills as HTML and PDF, the public verification page, and owner checks on every URL.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { issuePendingEbills } from '../../src/modules/ebills/issuing';
import { numberingEbillPlatform } from '../factories-ebills';
import { testApp } from '../helpers/app';
import { Client, download, text } from '../helpers/client';
import { testDatabase } from '../helpers/test-db';
import * as f from '../factories';
import { counterPayment, paidOrder, unpaidOrder } from '../factories-payments';
import { captchaOf } from './profile-helpers';

const db = await testDatabase({ demo: true });
const app = testApp(db, { PUBLIC_URL: 'https://pay.example.edu.cn' });
const PASSWORD = 'Secret#2026a';

const platform = numberingEbillPlatform();

const day = (s: string) => new Date(`${s}+08:00`);

interface World {
  me: Awaited<ReturnType<typeof f.person>>;
  other: Awaited<ReturnType<typeof f.person>>;
  nontax: Awaited<ReturnType<typeof paidOrder>>;
  wechat: Awaited<ReturnType<typeof paidOrder>>;
  icbc: Awaited<ReturnType<typeof paidOrder>>;
  meeting: Awaited<ReturnType<typeof paidOrder>>;
  closed: Awaited<ReturnType<typeof unpaidOrder>>;
  counter: Awaited<ReturnType<typeof counterPayment>>;
  othersOrder: Awaited<ReturnType<typeof paidOrder>>;
  items: { tuition: string; dorm: string; insurance: string; meeting: string };
}
let w: World;

async function signedIn(p: { number: string }) {
  const c = new Client(app);
  const res = await c.login(p.number, PASSWORD);
  expect(res.status).toBe(303);
  return c;
}

/** `path` as the world's payer reads it, answered 200: its text. */
async function myPage(path: string) {
  const res = await (await signedIn(w.me)).get(path);
  expect(res.status).toBe(200);
  return text(res.text);
}

beforeAll(async () => {
  const k = db.knex;
  const me = await f.person(k, { name: '董晨', number: '182081203012', password: PASSWORD, mobile: '13912345678' });
  const other = await f.person(k, { name: '李四', password: PASSWORD });
  const period = await f.period(k, '2019年度(测试)');
  const tuition = await f.feeItem(k, { name: '普通高等教育学费(工医体育类)', code: '10304275713' });
  const dorm = await f.feeItem(k, { name: '学生住宿费(测试)', code: '10304275714' });
  const insurance = await f.feeItem(k, { name: '医疗保险(测试)', category: '代收', code: '20190001' });
  const meetingItem = await f.feeItem(k, { name: '学术会议注册费(测试)', category: '代收', feeType: '其他费用', code: '20260101' });
  const b = async (personId: number, feeItemId: number, due: string) => f.bill(k, { personId, periodId: period.id, feeItemId, due });
  const bTuition = await b(me.personId, tuition.id, '8000.00');
  const bDorm = await b(me.personId, dorm.id, '1100.00');
  const bIns = await b(me.personId, insurance.id, '250.00');
  const bMeet = await b(me.personId, meetingItem.id, '120.00');
  const bOther = await b(other.personId, tuition.id, '8000.00');

  // Several payments through several channels, an abandoned one, and one at the counter.
  const counter = await counterPayment(k, { personId: me.personId, lines: [{ billId: bTuition, amount: '5999.99' }], date: '2019-09-05' });
  const nontax = await paidOrder(k, { personId: me.personId, channel: 'nontax', lines: [{ billId: bTuition, amount: '2000.01' }], at: day('2020-01-20T09:37:35') });
  const wechat = await paidOrder(k, { personId: me.personId, channel: 'wechat', category: '代收', lines: [{ billId: bIns, amount: '250.00' }], at: day('2020-02-13T14:59:18') });
  const closed = await unpaidOrder(k, { personId: me.personId, channel: 'icbc', lines: [{ billId: bDorm, amount: '1100.00' }], at: day('2020-02-14T20:37:08') });
  const icbc = await paidOrder(k, { personId: me.personId, channel: 'icbc', lines: [{ billId: bDorm, amount: '1100.00' }], fee: '0.02', at: day('2020-02-14T20:59:24') });
  const meeting = await paidOrder(k, { personId: me.personId, channel: 'wechat', category: '代收', lines: [{ billId: bMeet, amount: '120.00' }], at: day('2020-03-02T10:00:00') });
  const othersOrder = await paidOrder(k, { personId: other.personId, channel: 'nontax', lines: [{ billId: bOther, amount: '8000.00' }], at: day('2020-01-21T10:00:00') });
  await issuePendingEbills({ knex: k, client: platform, schoolName: '兰州理工大学', publicUrl: 'https://pay.example.edu.cn' });

  w = { me, other, nontax, wechat, icbc, meeting, closed, counter, othersOrder, items: { tuition: tuition.name, dorm: dorm.name, insurance: insurance.name, meeting: meetingItem.name } };
});

const billOf = (receiptId: string) => db.knex('ebills').where({ receipt_id: receiptId }).first();

describe('交易查询 tab', () => {
  it('is open now, and leads to 银行交易记录', async () => {
    const c = await signedIn(w.me);
    const res = await c.get('/transactions');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/transactions/bank');
    expect(text((await c.get('/transactions/bank')).text)).not.toContain('暂未开放');
  });

  it('needs a signed-in user', async () => {
    for (const p of ['/transactions/bank', '/transactions/receipts', `/transactions/receipts/${w.nontax.receiptNo}/ebill`]) {
      const res = await new Client(app).get(p);
      expect(res.status).toBe(303);
      expect(res.headers.location).toMatch(/^\/login/);
    }
  });
});

describe('银行交易记录 (图23)', () => {
  it('lists every attempt newest first with 图23’s columns, bank names and amounts', async () => {
    const t = await myPage('/transactions/bank');
    for (const h of ['银行订单', '订单日期', '订单时间', '交易银行', '订单金额', '手续费', '交易金额', '支付状态', '操作']) expect(t).toContain(h);
    // Newest first.
    const order = [w.meeting.orderNo, w.icbc.orderNo, w.closed.orderNo, w.wechat.orderNo, w.nontax.orderNo].map((no) => t.indexOf(no));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(t).toContain(`${w.icbc.orderNo} 2020-02-14 20:59:24 工商银行 ¥ 1,100.00 ¥ 0.02 ¥ 1,100.02 是 明细`);
    expect(t).toContain(`${w.closed.orderNo} 2020-02-14 20:37:08 工商银行 ¥ 1,100.00 ¥ 0.00 ¥ 0.00 否 明细`);
    expect(t).toContain(`${w.wechat.orderNo} 2020-02-13 14:59:18 微信支付 ¥ 250.00`);
    expect(t).toContain(`${w.nontax.orderNo} 2020-01-20 09:37:35 非税缴费 ¥ 2,000.01 ¥ 0.00 ¥ 2,000.01 是`);
    expect(t).toContain('总共 5条记录');
    // Never another person's.
    expect(t).not.toContain(w.othersOrder.orderNo);
  });

  it('paginates 10 a page like 当前费用, and survives a bad page number', async () => {
    const p = await f.person(db.knex, { password: PASSWORD });
    const period = await f.period(db.knex);
    const item = await f.feeItem(db.knex);
    const bill = await f.bill(db.knex, { personId: p.personId, periodId: period.id, feeItemId: item.id, due: '100.00' });
    for (let i = 0; i < 12; i++) {
      await unpaidOrder(db.knex, { personId: p.personId, channel: i % 2 ? 'wechat' : 'icbc', lines: [{ billId: bill, amount: '100.00' }], at: new Date(Date.UTC(2020, 1, 1, 2, i)) });
    }
    const c = await signedIn(p);
    const first = text((await c.get('/transactions/bank')).text);
    expect(first).toContain('总共 12条记录');
    expect(first).toContain('总共 2页');
    expect(first.match(/明细/g)).toHaveLength(10);
    const second = text((await c.get('/transactions/bank?page=2')).text);
    expect(second).toContain('第 2页');
    expect(second.match(/明细/g)).toHaveLength(2);
    const bad = await c.get('/transactions/bank?page=abc');
    expect(bad.status).toBe(200);
    expect(text(bad.text)).toContain('页码无效');
    expect(text((await c.get('/transactions/bank?page=99')).text)).toContain('页码超出范围，已显示第 2 页');
  });

  it('明细 shows the order’s lines, the channel’s trade number and the attempt’s history', async () => {
    const c = await signedIn(w.me);
    const res = await c.get(`/transactions/orders/${w.icbc.orderNo}`);
    expect(res.status).toBe(200);
    const t = text(res.text);
    expect(t).toContain(w.items.dorm);
    expect(t).toContain('¥ 1,100.00');
    expect(t).toContain(w.icbc.tradeNo!);
    for (const step of ['创建支付请求', '已发送至渠道', '收到支付通知', '已入账', '支付成功']) expect(t).toContain(step);
    // The student reads what happened, not how the platform checked it.
    expect(t).not.toContain('验签');
    expect(t).toContain(w.icbc.receiptNo);

    const closed = text((await c.get(`/transactions/orders/${w.closed.orderNo.toLowerCase()}`)).text);
    for (const step of ['已发送至渠道', '主动查询', '关闭订单', '已关闭']) expect(closed).toContain(step);
  });
});

describe('已缴费信息 (图24–图27)', () => {
  it('lists 学费交费 receipts from every route: online (支付平台) and at the counter (高峰)', async () => {
    const t = await myPage('/transactions/receipts');
    for (const h of ['费用类型', '学费交费', '其他费用', '收费日期', '收费单号', '收费单查询', '制单人', '电子票据', '操作列', '票据查询']) expect(t).toContain(h);
    expect(t).toContain(`${w.icbc.receiptNo} 2020-02-14 支付平台 已生成 明细 票据查询`);
    expect(t).toContain(`${w.wechat.receiptNo} 2020-02-13 支付平台 已生成 明细`);
    expect(t).toContain(`${w.nontax.receiptNo} 2020-01-20 支付平台 已生成`);
    expect(t).toContain(`${w.counter.receiptNo} 2019-09-05 高峰 其他票据`);
    expect(t).not.toContain(w.meeting.receiptNo); // 其他费用
    expect(t).not.toContain(w.othersOrder.receiptNo);
    expect(t).toContain('总共 4条记录');
  });

  it('filters by 费用类型 其他费用', async () => {
    const c = await signedIn(w.me);
    const t = text((await c.get('/transactions/receipts?type=other')).text);
    expect(t).toContain(w.meeting.receiptNo);
    expect(t).toContain('总共 1条记录');
    expect(t).not.toContain(w.nontax.receiptNo);
  });

  it('filters by a 收费日期 range, inclusive, in either date form', async () => {
    const c = await signedIn(w.me);
    const t = text((await c.get('/transactions/receipts?from=2020-02-13&to=20200214')).text);
    expect(t).toContain(w.icbc.receiptNo);
    expect(t).toContain(w.wechat.receiptNo);
    expect(t).not.toContain(`${w.nontax.receiptNo} 2020-01-20`);
    expect(t).toContain('总共 2条记录');
    expect(text((await c.get('/transactions/receipts?from=2020-01-01')).text)).toContain('总共 3条记录');
    expect(text((await c.get('/transactions/receipts?to=2019-12-31')).text)).toContain('总共 1条记录');
  });

  it('filters by 收费单号, with or without the leading zeros', async () => {
    const c = await signedIn(w.me);
    const exact = text((await c.get(`/transactions/receipts?no=${w.nontax.receiptNo}`)).text);
    expect(exact).toContain('总共 1条记录');
    expect(exact).toContain(`${w.nontax.receiptNo} 2020-01-20`);
    const short = text((await c.get(`/transactions/receipts?no=${Number(w.nontax.receiptNo)}`)).text);
    expect(short).toContain('总共 1条记录');
    // Another person's receipt number finds nothing.
    expect(text((await c.get(`/transactions/receipts?no=${w.othersOrder.receiptNo}`)).text)).toContain('总共 0条记录');
  });

  it('shows a message for a bad filter value and ignores only that filter', async () => {
    const c = await signedIn(w.me);
    const cases: [string, string, string][] = [
      ['from=2020-13-01', '收费日期（起）格式应为 2020-01-20', '总共 4条记录'],
      ['to=yesterday', '收费日期（止）格式应为 2020-01-20', '总共 4条记录'],
      ['no=abc', '收费单号应为不超过6位的数字', '总共 4条记录'],
      ['no=1234567', '收费单号应为不超过6位的数字', '总共 4条记录'],
      ['type=everything', '费用类型无效', '总共 4条记录'],
      ['from=2020-02-14&to=2020-01-01', '起始日期晚于截止日期', '总共 4条记录'],
      ['type=other&no=x', '收费单号应为不超过6位的数字', '总共 1条记录'],
      ['page=0', '页码无效', '总共 4条记录'],
    ];
    for (const [q, message, count] of cases) {
      const res = await c.get(`/transactions/receipts?${q}`);
      expect(res.status, q).toBe(200);
      const t = text(res.text);
      expect(t, q).toContain(message);
      expect(t, q).toContain(count);
    }
    // The user's other input is kept in the form.
    const kept = await c.get('/transactions/receipts?type=other&from=2020-01-01&no=zz');
    expect(kept.text).toContain('value="2020-01-01"');
    expect(kept.text).toMatch(/<option value="other" selected>/);
  });

  it('paginates receipts and keeps the filters in the pager links', async () => {
    const p = await f.person(db.knex, { password: PASSWORD });
    const period = await f.period(db.knex);
    const item = await f.feeItem(db.knex);
    const bill = await f.bill(db.knex, { personId: p.personId, periodId: period.id, feeItemId: item.id, due: '1300.00' });
    for (let i = 1; i <= 13; i++) await counterPayment(db.knex, { personId: p.personId, lines: [{ billId: bill, amount: '100.00' }], date: `2019-09-${String(i).padStart(2, '0')}` });
    const c = await signedIn(p);
    const first = await c.get('/transactions/receipts?from=2019-09-01');
    const t1 = text(first.text);
    expect(t1).toContain('总共 13条记录');
    expect(t1).toContain('总共 2页');
    expect(t1.indexOf('2019-09-13')).toBeLessThan(t1.indexOf('2019-09-04'));
    expect(t1).not.toContain('2019-09-03');
    expect(first.text).toContain('href="/transactions/receipts?type=tuition&amp;from=2019-09-01&amp;page=2"');
    const t2 = text((await c.get('/transactions/receipts?from=2019-09-01&page=2')).text);
    expect(t2).toContain('2019-09-01');
    expect(t2.match(/票据查询/g)!.length).toBe(3 + 1); // three rows and the column header
  });
});

describe('收费单明细 (图26)', () => {
  it('shows 收费日期, 订单号, 收费单号 and the lines with the 交费 total', async () => {
    const c = await signedIn(w.me);
    const t = text((await c.get(`/transactions/receipts/${w.nontax.receiptNo}`)).text);
    expect(t).toContain(`收费日期：20200120 订单号：${w.nontax.orderNo} 收费单号：${w.nontax.receiptNo}`);
    for (const h of ['收费期间', '收费项目', '交费金额']) expect(t).toContain(h);
    expect(t).toContain(`2019年度(测试) ${w.items.tuition} ¥2,000.01`);
    expect(t).toContain('共1条记录 交费：2,000.01元');
  });

  it('shows a counter receipt with its cashier and no order', async () => {
    const c = await signedIn(w.me);
    const t = text((await c.get(`/transactions/receipts/${w.counter.receiptNo}`)).text);
    expect(t).toContain('订单号：--');
    expect(t).toContain('制单人：高峰');
    expect(t).toContain('交费：5,999.99元');
  });
});

describe('票据查询 (图28)', () => {
  it('shows 电子票据查询 with 缴费人, 缴费日期, 共N张 and the bill laid out as 甘肃省非税收入统一票据（电子）', async () => {
    const c = await signedIn(w.me);
    const res = await c.get(`/transactions/receipts/${w.nontax.receiptNo}/ebill`);
    expect(res.status).toBe(200);
    const t = text(res.text);
    const bill = await billOf(w.nontax.receiptId);
    expect(t).toContain('电子票据查询');
    expect(t).toContain('缴费人：182081203012/董晨 缴费日期：20200120 共：1张');
    expect(t).toContain('甘肃省非税收入统一票据（电子）');
    expect(t).toContain(`票据代码： ${bill.bill_code}`);
    expect(t).toContain(`票据号码： ${bill.bill_no}`);
    expect(t).toContain(`校验码： ${bill.check_code}`);
    expect(t).toContain('开票日期：2020-01-20');
    expect(t).toContain('缴款人：董晨');
    expect(t).toContain('项目编码 项目名称 单位 数量 标准 金额');
    expect(t).toContain(`10304275713 ${w.items.tuition} 元 1 2000.01 2000.01`);
    expect(t).toContain('合计 贰仟元零壹分 ¥：2,000.01');
    expect(t).toContain('执收单位 名称：兰州理工大学');
    expect(t).toContain('电子收缴专用章');
    expect(t).toContain('备注：兰州理工大学 2019年度(测试)');
    expect(t).toContain('经办人：支付平台');
    expect(res.text).toContain(`/transactions/ebills/${bill.bill_code}/${bill.bill_no}/pdf`);
    expect(res.text).toContain('<svg'); // the QR code
  });

  it('gives 代收 items the 资金往来结算票据 that schools issue for money collected on others’ behalf', async () => {
    const c = await signedIn(w.me);
    const t = text((await c.get(`/transactions/receipts/${w.wechat.receiptNo}/ebill`)).text);
    expect(t).toContain('甘肃省行政事业单位资金往来结算票据（电子）');
    expect(t).toContain('合计 贰佰伍拾元整 ¥：250.00');
    expect(t).toContain('财务专用章');
  });

  it('says plainly when a counter receipt has no e-bill', async () => {
    const c = await signedIn(w.me);
    const t = text((await c.get(`/transactions/receipts/${w.counter.receiptNo}/ebill`)).text);
    expect(t).toContain('共：0张');
    expect(t).toContain('已开具其他票据');
  });

  it('downloads the bill as a PDF whose text holds the title, payer, items and the capital amount', async () => {
    const c = await signedIn(w.me);
    const bill = await billOf(w.icbc.receiptId);
    const res = await download(c, `/transactions/ebills/${bill.bill_code}/${bill.bill_no}/pdf`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toContain(`ebill-${bill.bill_code}-${bill.bill_no}.pdf`);
    const pdf = res.body as Buffer;
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    console.log(`e-bill PDF size: ${pdf.length} bytes`);
    expect(pdf.length).toBeLessThan(200_000); // the font is subset, not embedded whole
    const dir = mkdtempSync(path.join(tmpdir(), 'ebill-'));
    const file = path.join(dir, 'bill.pdf');
    writeFileSync(file, pdf);
    // Kept for looking at (pdftoppm -png -r 80 test-results/ebill.pdf).
    mkdirSync('test-results', { recursive: true });
    writeFileSync('test-results/ebill.pdf', pdf);
    const t = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    expect(t).toContain('甘肃省非税收入统一票据');
    expect(t).toContain('董晨');
    expect(t).toContain(w.items.dorm);
    expect(t).toContain('壹仟壹佰元整');
    expect(t).toContain(bill.bill_no);
    expect(t).toContain(bill.check_code);
    expect(t).toContain('1,100.00');
  });

  it('shows a single bill by its number', async () => {
    const c = await signedIn(w.me);
    const bill = await billOf(w.nontax.receiptId);
    const res = await c.get(`/transactions/ebills/${bill.bill_code}/${bill.bill_no}`);
    expect(res.status).toBe(200);
    expect(text(res.text)).toContain('贰仟元零壹分');
  });
});

describe('owner checks: another person’s number in the URL is a 404', () => {
  it('for orders, receipts, bills and PDFs', async () => {
    const c = await signedIn(w.me);
    const theirs = await billOf(w.othersOrder.receiptId);
    const paths = [
      `/transactions/orders/${w.othersOrder.orderNo}`,
      `/transactions/receipts/${w.othersOrder.receiptNo}`,
      `/transactions/receipts/${w.othersOrder.receiptNo}/ebill`,
      `/transactions/ebills/${theirs.bill_code}/${theirs.bill_no}`,
      `/transactions/ebills/${theirs.bill_code}/${theirs.bill_no}/pdf`,
      // and numbers that do not exist, or are not numbers at all
      '/transactions/orders/XF200101LUT999999',
      '/transactions/orders/not-an-order',
      '/transactions/receipts/999999',
      '/transactions/receipts/abc/ebill',
      '/transactions/ebills/62012001/9999999999/pdf',
      "/transactions/ebills/x'--/1",
    ];
    for (const p of paths) {
      const res = await c.get(p);
      expect(res.status, p).toBe(404);
      expect(res.text, p).not.toContain('李四');
    }
    // The owner does see them.
    const owner = await signedIn(w.other);
    expect((await owner.get(`/transactions/receipts/${w.othersOrder.receiptNo}/ebill`)).status).toBe(200);
    expect((await owner.get(`/transactions/ebills/${theirs.bill_code}/${theirs.bill_no}/pdf`)).status).toBe(200);
  });

  it('the demo’s counter receipts of other students are not listed for 张三 or anyone else', async () => {
    const demoReceipt = await db.knex('receipts').where({ preparer: '高峰' }).whereNot({ person_id: w.me.personId }).first();
    const c = await signedIn(w.me);
    expect((await c.get(`/transactions/receipts/${demoReceipt.receipt_no}`)).status).toBe(404);
    expect(text((await c.get(`/transactions/receipts?no=${demoReceipt.receipt_no}`)).text)).toContain('总共 0条记录');
  });
});

describe('电子票据查验 (public, from the QR code)', () => {
  it('confirms code, number, check code, amount, date and the masked payer, without signing in', async () => {
    const bill = await billOf(w.nontax.receiptId);
    const res = await new Client(app).get(`/ebills/verify?code=${bill.bill_code}&no=${bill.bill_no}&check=${bill.check_code}`);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const t = text(res.text);
    expect(t).toContain('查验通过');
    expect(t).toContain(`票据代码 ${bill.bill_code}`);
    expect(t).toContain(`票据号码 ${bill.bill_no}`);
    expect(t).toContain(`校验码 ${bill.check_code}`);
    expect(t).toContain('金额 ¥ 2,000.01');
    expect(t).toContain('开票日期 2020-01-20');
    expect(t).toContain('缴款人 董*');
  });

  it('reveals nothing more: no full name, no person number, no items, no receipt or order', async () => {
    const bill = await billOf(w.nontax.receiptId);
    const res = await new Client(app).get(`/ebills/verify?code=${bill.bill_code}&no=${bill.bill_no}&check=${bill.check_code}`);
    for (const secret of ['董晨', '182081203012', w.items.tuition, '10304275713', w.nontax.receiptNo, w.nontax.orderNo, '13912345678', '兰州理工大学 2019年度', '经办人', '备注']) {
      expect(res.text, secret).not.toContain(secret);
    }
  });

  it('says 未查到 for a wrong check code, and only shows the form when nothing is asked', async () => {
    const bill = await billOf(w.nontax.receiptId);
    const wrong = String((Number(bill.check_code) + 1) % 1_000_000).padStart(6, '0');
    const res = await new Client(app).get(`/ebills/verify?code=${bill.bill_code}&no=${bill.bill_no}&check=${wrong}`);
    expect(res.status).toBe(404);
    expect(text(res.text)).toContain('未查到该票据');
    expect(res.text).not.toContain('2,000.01');
    const blank = await new Client(app).get('/ebills/verify');
    expect(blank.status).toBe(200);
    expect(text(blank.text)).toContain('电子票据查验');
    expect(text(blank.text)).not.toContain('未查到');
    // A code no bill can have is refused by the form's rules, before the throttle counts anything.
    const junk = await new Client(app).get('/ebills/verify?code=%27;--&no=1&check=abc');
    expect(junk.status).toBe(400);
    expect(text(junk.text)).toContain('票据代码不正确');
  });

  it('stops guessing without locking the holder out: past 5 wrong check codes a 验证码 is asked for, and the guessing address waits', async () => {
    const bill = await billOf(w.icbc.receiptId);
    const right = `/ebills/verify?code=${bill.bill_code}&no=${bill.bill_no}&check=${bill.check_code}`;
    const guesser = '203.0.113.50';
    for (let i = 0; i < 5; i++) {
      const guess = String((Number(bill.check_code) + 1 + i) % 1_000_000).padStart(6, '0');
      expect((await new Client(app, { ip: guesser }).get(`/ebills/verify?code=${bill.bill_code}&no=${bill.bill_no}&check=${guess}`)).status).toBe(404);
    }
    // The sixth guess is asked for a 验证码; once a checked one failed, a guess without one waits.
    expect((await new Client(app, { ip: guesser }).get(right)).status).toBe(400);
    const g = new Client(app, { ip: guesser });
    const sixth = String((Number(bill.check_code) + 6) % 1_000_000).padStart(6, '0');
    expect((await g.get(`/ebills/verify?code=${bill.bill_code}&no=${bill.bill_no}&check=${sixth}&captcha=${(await captchaOf(g, db.knex)).text}`)).status).toBe(404);
    const slowed = await new Client(app, { ip: guesser }).get(right);
    expect(slowed.status).toBe(429);
    expect(text(slowed.text)).toMatch(/查验失败次数过多，请\d+秒后再试/);
    expect(text(slowed.text)).not.toContain('查验通过');
    expect(slowed.text).not.toContain('1,100.00');
    // Whoever holds the bill, elsewhere, has it checked with a 验证码.
    const holder = new Client(app, { ip: '198.51.100.20' });
    const asked = await holder.get(right);
    expect(asked.status).toBe(400);
    expect(text(asked.text)).toContain('请输入验证码');
    expect(asked.text).not.toContain('1,100.00');
    const { text: code } = await captchaOf(holder, db.knex);
    const ok = await holder.get(`${right}&captcha=${code}`);
    expect(ok.status).toBe(200);
    expect(text(ok.text)).toContain('查验通过');
  });
});
