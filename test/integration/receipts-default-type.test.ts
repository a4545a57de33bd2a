// 已缴费信息 (图24) opens, when the address names no 费用类型, on the first type in the select's
// order (学费交费, 其他费用) of which the person has a receipt: an outsider — the demo's 王五 or a
// self-registered payer — pays only 其他费用 (报名 among them) and no longer lands on an empty
// 学费交费; a student who paid 学费 still opens on it; someone who has paid nothing gets 学费交费;
// a type named in the address (type=…) is always the one shown.
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../seeds/demo';
import { testApp } from '../helpers/app';
import { Client, text } from '../helpers/client';
import { setPassword } from '../helpers/users';
import { testDatabase } from '../helpers/test-db';
import * as f from '../factories';
import { paidOrder } from '../factories-payments';

const db = await testDatabase({ demo: true });
const knex = db.knex;
const app = testApp(db);
const PASSWORD = 'Receipts#2026a';

async function signedIn(number: string) {
  const c = new Client(app);
  expect((await c.login(number, PASSWORD)).status).toBe(303);
  return c;
}

/** The page and which 费用类型 its select shows. */
async function receipts(c: Client, query = '') {
  const res = await c.get(`/transactions/receipts${query}`);
  expect(res.status).toBe(200);
  const selected = /<option value="(\w+)" selected>/.exec(res.text)?.[1];
  return { html: res.text, t: text(res.text), selected };
}

const billOf = async (number: string, item: string) =>
  (await knex('bills as b').join('people as p', 'p.id', 'b.person_id').join('fee_items as i', 'i.id', 'b.fee_item_id')
    .where({ 'p.number': number, 'i.name': item }).first('b.id', 'b.person_id')) as { id: number; person_id: number };

let wangwuReceipt: string;
let zhangsan: { tuition: string; other: string };

beforeAll(async () => {
  // 王五 pays his 会议注册费 (其他费用, 代收): his only receipt.
  await setPassword(knex, DEMO.external.number, PASSWORD);
  const ww = await billOf(DEMO.external.number, '2026年学术会议注册费');
  wangwuReceipt = (await paidOrder(knex, { personId: ww.person_id, channel: 'wechat', category: '代收', lines: [{ billId: ww.id, amount: '300.00' }] })).receiptNo;

  // 张三 pays 学费 and, on another order, a 其他费用 bill as well: 学费交费 comes first.
  await setPassword(knex, DEMO.student.number, PASSWORD);
  const zsTuition = await billOf(DEMO.student.number, '学费');
  const item = await f.feeItem(knex, { feeType: '其他费用', category: '代收' });
  const period = await f.period(knex);
  const zsOther = await f.bill(knex, { personId: zsTuition.person_id, periodId: period.id, feeItemId: item.id, due: '80.00' });
  zhangsan = {
    tuition: (await paidOrder(knex, { personId: zsTuition.person_id, channel: 'nontax', lines: [{ billId: zsTuition.id, amount: '8000.00' }] })).receiptNo,
    other: (await paidOrder(knex, { personId: zsTuition.person_id, channel: 'wechat', category: '代收', lines: [{ billId: zsOther, amount: '80.00' }] })).receiptNo,
  };
});

describe('已缴费信息 with no 费用类型 in the address', () => {
  it('opens an outsider with only a 其他费用 payment (王五) on 其他费用, with the receipt and links that keep it', async () => {
    const c = await signedIn(DEMO.external.number);
    const page = await receipts(c);
    expect(page.selected).toBe('other');
    expect(page.t).toContain(`${wangwuReceipt} `);
    expect(page.t).toContain('总共 1条记录');
    expect(page.t).not.toContain('没有符合条件的收费单');
    // The pager's 跳转 names the type shown, so paging stays on it.
    expect(page.html).toContain('<input type="hidden" name="type" value="other">');
  });

  it('does the same for a self-registered outsider who paid a 报名 fee (其他费用)', async () => {
    const p = await f.person(knex, { kind: 'external', password: PASSWORD });
    const item = await f.feeItem(knex, { name: `普通话水平测试报名费${Date.now()}`, feeType: '其他费用', category: '代收' });
    const period = await f.period(knex);
    const billId = await f.bill(knex, { personId: p.personId, periodId: period.id, feeItemId: item.id, due: '50.00' });
    const { receiptNo } = await paidOrder(knex, { personId: p.personId, channel: 'wechat', category: '代收', lines: [{ billId, amount: '50.00' }] });
    const page = await receipts(await signedIn(p.number));
    expect(page.selected).toBe('other');
    expect(page.t).toContain(`${receiptNo} `);
    // The date filter alone names no type: still the person's own.
    const filtered = await receipts(await signedIn(p.number), '?from=2000-01-01');
    expect(filtered.selected).toBe('other');
    expect(filtered.t).toContain(`${receiptNo} `);
  });

  it('still opens a student who paid 学费 on 学费交费, though they paid 其他费用 too', async () => {
    const page = await receipts(await signedIn(DEMO.student.number));
    expect(page.selected).toBe('tuition');
    expect(page.t).toContain(`${zhangsan.tuition} `);
    expect(page.t).not.toContain(`${zhangsan.other} `);
  });

  it('opens someone who has paid nothing on 学费交费, as 图24 shows', async () => {
    const p = await f.person(knex, { kind: 'external', password: PASSWORD });
    const page = await receipts(await signedIn(p.number));
    expect(page.selected).toBe('tuition');
    expect(page.t).toContain('没有符合条件的收费单');
  });

  it('shows a nonsense type’s message and the person’s own first type', async () => {
    const page = await receipts(await signedIn(DEMO.external.number), '?type=everything');
    expect(page.t).toContain('费用类型无效');
    expect(page.selected).toBe('other');
    expect(page.t).toContain(`${wangwuReceipt} `);
  });
});

describe('已缴费信息 with 费用类型 in the address', () => {
  it('shows the type named, whatever the person has paid', async () => {
    const ww = await signedIn(DEMO.external.number);
    const tuition = await receipts(ww, '?type=tuition');
    expect(tuition.selected).toBe('tuition');
    expect(tuition.t).toContain('没有符合条件的收费单');
    expect(tuition.t).not.toContain(`${wangwuReceipt} `);
    expect((await receipts(ww, '?type=other')).selected).toBe('other');

    const zs = await signedIn(DEMO.student.number);
    const other = await receipts(zs, '?type=other');
    expect(other.selected).toBe('other');
    expect(other.t).toContain(`${zhangsan.other} `);
    expect(other.t).not.toContain(`${zhangsan.tuition} `);
    expect((await receipts(zs, '?type=tuition')).t).toContain(`${zhangsan.tuition} `);
  });
});
