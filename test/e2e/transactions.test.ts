// 交易查询 in a real browser: 张三 after paying through 非税缴费, 微信支付 and 工商银行 and once at
// the counter looks at 银行交易记录, 明细, 已缴费信息, 收费单明细 and 票据查询, then checks his
// bill on the public verification page the QR code leads to. Screenshots in test-results/screenshots.
import { describe, expect, it } from 'vitest';
import { DEMO } from '../../seeds/demo';
import { issuePendingEbills } from '../../src/modules/ebills/issuing';
import { numberingEbillPlatform } from '../factories-ebills';
import { desktopPage, menuPage, screenshot, signIn } from '../helpers/browser';
import { appInBrowser } from '../helpers/browser-world';
import { setPassword } from '../helpers/users';
import { counterPayment, paidOrder, unpaidOrder } from '../factories-payments';

const { db, url, browser } = await appInBrowser();
const PW = 'Lanzhou#2019';

const platform = numberingEbillPlatform();

describe('交易查询 in the browser', () => {
  it('张三 reads his bank records, paid-fee records, a receipt and its e-bill, and verifies the bill', async () => {
    const k = db.knex;
    const zs = await k('people').where({ number: DEMO.student.number }).first('id');
    await setPassword(k, DEMO.student.number, PW);
    const bills = await k('bills as b').join('fee_items as i', 'i.id', 'b.fee_item_id').where('b.person_id', zs.id).select('b.id', 'i.name');
    const bill = (name: string) => bills.find((b) => b.name === name)!.id as number;
    const at = (s: string) => new Date(`${s}+08:00`);

    await counterPayment(k, { personId: zs.id, lines: [{ billId: bill('学费'), amount: '3000.00' }], date: '2019-09-05' });
    await unpaidOrder(k, { personId: zs.id, channel: 'icbc', lines: [{ billId: bill('住宿费'), amount: '1100.00' }], at: at('2020-02-12T11:40:01') });
    const tuition = await paidOrder(k, { personId: zs.id, channel: 'nontax', lines: [{ billId: bill('学费'), amount: '4999.99' }], at: at('2020-02-13T09:37:35') });
    await paidOrder(k, { personId: zs.id, channel: 'wechat', category: '代收', lines: [{ billId: bill('医疗保险'), amount: '250.00' }], at: at('2020-02-14T20:58:01') });
    await paidOrder(k, { personId: zs.id, channel: 'icbc', lines: [{ billId: bill('住宿费'), amount: '1100.00' }, { billId: bill('学费'), amount: '0.01' }], at: at('2020-02-14T20:59:24') });
    await issuePendingEbills({ knex: k, client: platform, schoolName: '兰州理工大学', publicUrl: url });

    const { page, errors } = await desktopPage(browser, undefined, { locale: 'zh-CN' });
    page.on('response', (r) => r.status() >= 400 && errors.push(`${r.status()} ${r.url()}`));
    await signIn(page, url, DEMO.student.number, PW);

    let body = await menuPage(page, '交易查询', /\/transactions\/bank$/);
    for (const s of ['银行交易记录', '非税缴费', '微信支付', '工商银行', '总共 4条记录']) expect(body).toContain(s);
    await screenshot(page, 'transactions-bank');

    await page.click(`a[href^="/transactions/orders/${tuition.orderNo}"]`);
    await page.waitForURL(/\/transactions\/orders\//);
    body = (await page.textContent('body'))!;
    expect(body).toContain(tuition.tradeNo!);
    expect(body).toContain('收到支付通知');
    await screenshot(page, 'transactions-order-detail');

    await page.click('.subnav >> text=已缴费信息');
    await page.waitForURL(/\/transactions\/receipts$/);
    body = (await page.textContent('body'))!;
    for (const s of ['收费单查询', '支付平台', '高峰', '已生成', '其他票据', '总共 4条记录']) expect(body).toContain(s);
    await screenshot(page, 'transactions-receipts');

    await page.click(`a[href="/transactions/receipts/${tuition.receiptNo}"]`);
    await page.waitForURL(/\/transactions\/receipts\/\d{6}$/);
    expect((await page.textContent('body'))!.replace(/\s+/g, '')).toContain('共1条记录交费：4,999.99元');
    await screenshot(page, 'transactions-receipt-detail');

    await page.click('a:has-text("票据查询")');
    await page.waitForURL(/\/ebill$/);
    body = (await page.textContent('body'))!;
    for (const s of ['电子票据查询', '共：1张', '甘肃省非税收入统一票据（电子）', '肆仟玖佰玖拾玖元玖角玖分', '经办人：支付平台']) expect(body).toContain(s);
    await screenshot(page, 'transactions-ebill');

    // The PDF downloads; the QR code's link is the public verification page.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a:has-text("下载PDF")')]);
    expect(download.suggestedFilename()).toMatch(/^ebill-62012001-\d{10}\.pdf$/);
    const verify = await k('ebills').where({ receipt_id: tuition.receiptId }).first();
    // Whoever scans the code is not signed in: a fresh browser context.
    const stranger = await (await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' })).newPage();
    stranger.on('pageerror', (e) => errors.push(e.message));
    await stranger.goto(`${url}/ebills/verify?code=${verify.bill_code}&no=${verify.bill_no}&check=${verify.check_code}`);
    body = (await stranger.textContent('body'))!;
    expect(body).toContain('查验通过');
    expect(body).toContain('张*');
    expect(body).toContain('4,999.99');
    expect(body).not.toContain('张三');
    expect(body).not.toContain(DEMO.student.number);
    await screenshot(stranger, 'transactions-verify');
    await stranger.close();

    expect(errors).toEqual([]);
    await page.close();
  });
});
