// The wizard as a first-time payer meets it, over HTTP: 缴费金额 and 共计 of 缴费信息修改 always
// equal the boxes shown (after 上一步, after a refused amount); amounts copied with thousands
// separators or typed in full-width digits are taken, three decimals are not; a live order for the
// same bill is offered on 交费信息显示 (with its channel and expiry) before another is built, and
// replacing it closes it; an order that timed out says so once, with what to do.
import { describe, expect, it } from 'vitest';
import { text } from '../helpers/client';
import { testDatabase } from '../helpers/test-db';
import { PASSWORD, countRows, makeOrder, orderStatus, payEnv, signedIn } from '../helpers/world';
import * as f from '../factories';

const db = await testDatabase();
const knex = db.knex;
const env = await payEnv(db, { SANDBOX: '1', SANDBOX_TIME_SCALE: '0.0005' });

const items = { dorm: await f.feeItem(knex, { category: '财政', name: '住宿费' }), tuition: await f.feeItem(knex, { category: '财政', name: '学费' }) };

/** 图10's student: 住宿费 1,099.98 and 学费 7,999.97 owed (财政), one period. */
async function student() {
  const p = await f.person(knex, { password: PASSWORD });
  const period = await f.period(knex);
  const dorm = await f.bill(knex, { personId: p.personId, periodId: period.id, feeItemId: items.dorm.id, due: '1100.00', paid: '0.02' });
  const tuition = await f.bill(knex, { personId: p.personId, periodId: period.id, feeItemId: items.tuition.id, due: '8000.00', paid: '0.03' });
  const c = await signedIn(env, p.number);
  return { ...p, c, periodId: period.id, dorm, tuition };
}
type Student = Awaited<ReturnType<typeof student>>;

const itemsUrl = (s: Student, category = '财政') => `/pay/items?category=${encodeURIComponent(category)}&period=${s.periodId}`;
const choose = (s: Student, amounts: Record<number, string>, bills = Object.keys(amounts)) =>
  s.c.post('/pay/items', { category: '财政', period: String(s.periodId), bill: bills, ...Object.fromEntries(Object.entries(amounts).map(([id, a]) => [`amount_${id}`, a])) });
/** 缴费金额 (plain) and 共计 (with separators) as the page shows them. */
const totals = (html: string) => ({
  amount: /<strong id="pay-total">([^<]*)<\/strong>/.exec(html)?.[1],
  sum: /<strong id="pay-sum">([^<]*)<\/strong>/.exec(html)?.[1],
});
const box = (html: string, billId: number) => new RegExp(`name="amount_${billId}" id="amount_${billId}" value="([^"]*)"`).exec(html)?.[1];

describe('缴费金额 and 共计 equal the lines shown', () => {
  it('on the first visit: the arrears of every checked line (图10: 9,099.95)', async () => {
    const s = await student();
    expect(totals((await s.c.get(itemsUrl(s))).text)).toEqual({ amount: '9099.95', sum: '9,099.95' });
  });

  it('after 上一步 from 交费信息显示: the amounts chosen, not the arrears', async () => {
    const s = await student();
    await s.c.get(itemsUrl(s));
    expect((await choose(s, { [s.dorm]: '1099.98', [s.tuition]: '5000.00' })).status).toBe(303);
    expect(text((await s.c.get('/pay/review')).text)).toContain('共计交费： 6,099.98 元');
    const back = (await s.c.get(itemsUrl(s))).text;
    expect([box(back, s.dorm), box(back, s.tuition)]).toEqual(['1099.98', '5000.00']);
    expect(totals(back)).toEqual({ amount: '6099.98', sum: '6,099.98' });
    // Only one line chosen: the other is shown unchecked, and the totals are that one line's.
    await choose(s, { [s.dorm]: '1099.98' });
    expect(totals((await s.c.get(itemsUrl(s))).text)).toEqual({ amount: '1099.98', sum: '1,099.98' });
  });

  it('after a refused amount: the boxes as typed are summed; a box that is no amount gives no total', async () => {
    const s = await student();
    await s.c.get(itemsUrl(s));
    const tooMuch = await choose(s, { [s.dorm]: '1099.98', [s.tuition]: '9000.00' });
    expect(tooMuch.status).toBe(400);
    expect(text(tooMuch.text)).toContain('缴费金额不能超过欠费金额7999.97元');
    expect(totals(tooMuch.text)).toEqual({ amount: '10099.98', sum: '10,099.98' });
    const garbled = await choose(s, { [s.dorm]: '1099.98', [s.tuition]: '1.001' });
    expect(garbled.status).toBe(400);
    expect(text(garbled.text)).toContain('缴费金额须为数字，最多两位小数');
    expect(totals(garbled.text)).toEqual({ amount: '—', sum: '—' });
  });
});

describe('amounts as a payer copies or types them', () => {
  it('"7,999.97" copied from 欠费金额 and full-width "１０９９．９８" are taken; three decimals are not', async () => {
    const s = await student();
    await s.c.get(itemsUrl(s));
    expect((await choose(s, { [s.dorm]: '１０９９．９８', [s.tuition]: '7,999.97' })).status).toBe(303);
    const review = text((await s.c.get('/pay/review')).text);
    expect(review).toContain('1,099.98');
    expect(review).toContain('7,999.97');
    expect(review).toContain('共计交费： 9,099.95 元');
    expect((await choose(s, { [s.dorm]: '８０００' })).status).toBe(400); // more than 1,099.98 owed
    expect((await choose(s, { [s.dorm]: '１０００' })).status).toBe(303);
    const refused = await choose(s, { [s.dorm]: '1,000.001' });
    expect(refused.status).toBe(400);
    expect(box(refused.text, s.dorm)).toBe('1,000.001');
    expect(text(refused.text)).toContain('缴费金额须为数字，最多两位小数');
  });
});

describe('a live order for the same bill is offered before another is built', () => {
  it('交费信息显示 offers it with its channel and expiry; 下一步 without choosing builds nothing; replacing closes it', async () => {
    const s = await student();
    const first = await makeOrder(s.c, '财政', s.periodId, { [s.dorm]: '1099.98' });
    await s.c.get(`/pay/orders/${first}`);
    expect((await s.c.post(`/pay/orders/${first}/submit`, { channel: 'nontax' })).status).toBe(303);
    const expiresAt = (await knex('orders').where({ order_no: first }).first('expires_at')).expires_at as Date;

    // The same bill again, another amount: not reused, offered.
    await s.c.get(itemsUrl(s));
    await choose(s, { [s.dorm]: '500.00' });
    const review = await s.c.get('/pay/review');
    const t = text(review.text);
    expect(t).toContain('您已有包含所选项目的未完成缴费单');
    expect(t).toContain(`缴费单 ${first}`);
    expect(t).toContain('缴费金额 1,099.98 元');
    expect(t).toContain('支付方式：非税支付');
    const until = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai', dateStyle: 'short', timeStyle: 'short' }).format(expiresAt);
    expect(t).toContain(`有效期至 ${until}`);
    expect(t).toContain('继续支付该缴费单');
    expect(t).toContain('取消原缴费单并生成新缴费单');
    expect(review.text).toContain(`href="/pay/orders/${first}"`);

    const orders = () => countRows(knex, 'orders', { person_id: s.personId });
    const before = await orders();
    const unanswered = await s.c.post('/pay/orders', {});
    expect(unanswered.status).toBe(409);
    expect(text(unanswered.text)).toContain(`缴费单 ${first}`);
    expect(await orders()).toBe(before);

    const replaced = await s.c.post('/pay/orders', { replace: first });
    expect(replaced.status).toBe(303);
    const second = /XF\d{6}LUT\d{6}/.exec(replaced.headers.location!)![0];
    expect(second).not.toBe(first);
    expect(await orderStatus(knex, first)).toBe('closed');
    expect(await orderStatus(knex, second)).toBe('created');
    // The replaced order is not offered again, and says why it cannot be paid.
    const old = text((await s.c.get(`/pay/orders/${first}`)).text);
    expect(old).toContain('缴费单已关闭');
    expect(old).not.toContain('缴费单已超时');
  });

  it('an identical choice is the same order (reused), told on 交费信息显示 before 下一步', async () => {
    const s = await student();
    const first = await makeOrder(s.c, '财政', s.periodId, { [s.tuition]: '100.00' });
    await s.c.get(itemsUrl(s));
    await choose(s, { [s.tuition]: '100.00' });
    expect(text((await s.c.get('/pay/review')).text)).toContain(`您已有相同内容的未支付缴费单 ${first}，点击“下一步”将继续使用该缴费单。`);
    expect((await s.c.post('/pay/orders', {})).headers.location).toBe(`/pay/orders/${first}?reused=1`);
  });

  it('a forged replace list is refused with the page, nothing built or closed', async () => {
    const s = await student();
    const first = await makeOrder(s.c, '财政', s.periodId, { [s.tuition]: '200.00' });
    await s.c.get(itemsUrl(s));
    await choose(s, { [s.tuition]: '300.00' });
    await s.c.get('/pay/review');
    const bad = await s.c.post('/pay/orders', { replace: `${first},<script>` });
    expect(bad.status).toBe(400);
    expect(await orderStatus(knex, first)).toBe('created');
  });
});

describe('an order that timed out', () => {
  it('says it timed out, once, and what to do; 银行支付结果 no longer says 缴费单可重复使用', async () => {
    const s = await student();
    const orderNo = await makeOrder(s.c, '财政', s.periodId, { [s.tuition]: '10.00' });
    await knex('orders').where({ order_no: orderNo }).update({ expires_at: new Date(Date.now() - 60_000) });
    const page = text((await s.c.get(`/pay/orders/${orderNo}`)).text);
    expect(page.split('缴费单已超时').length).toBe(2);
    expect(page).toContain('请返回“学费缴费”，重新选择缴费项目，生成新的缴费单后再支付');
    expect(page).not.toContain('该缴费单已关闭');
    const result = text((await s.c.get(`/pay/orders/${orderNo}/result`)).text);
    expect(result).toContain('缴费单已超时');
    expect(result).not.toContain('可重复使用');
    expect(result).not.toContain('支付未完成');
  });
});
