// 缴费信息修改 (图10) without JavaScript: the 缴费金额 boxes must be typable in the HTML itself
// (pay.js only adds the 修改 toggle), so a part payment can be made from a plain form post. The
// form is filled the way a browser without scripts would submit it: every named field as served,
// with one amount typed over.
import { describe, expect, it } from 'vitest';
import { text as rawText } from '../helpers/client';
import { testApp } from '../helpers/app';
import { testDatabase } from '../helpers/test-db';
import { Client } from '../helpers/client';
import * as f from '../factories';

const text = (html: string) => rawText(html).replace(/\s+/g, '');
const PASSWORD = 'Abc12345!x';

const db = await testDatabase();
const app = testApp(db);
const tuition = await f.feeItem(db.knex, { category: '财政', name: '学费（无脚本）' });
const lodging = await f.feeItem(db.knex, { category: '财政', name: '住宿费（无脚本）' });

/** The fields a browser would send for this form: inputs as served, checkboxes only if checked. */
function formFields(html: string): [string, string][] {
  const form = /<form[^>]*id="pay-items"[\s\S]*?<\/form>/.exec(html)?.[0] ?? '';
  const out: [string, string][] = [];
  for (const tag of form.match(/<input\b[^>]*>/g) ?? []) {
    const name = /\bname="([^"]*)"/.exec(tag)?.[1];
    if (!name || name === '_csrf') continue;
    const value = /\bvalue="([^"]*)"/.exec(tag)?.[1] ?? '';
    if (/type="checkbox"/.test(tag) && !/\bchecked\b/.test(tag)) continue;
    out.push([name, value]);
  }
  return out;
}

function asBody(fields: [string, string][]): Record<string, string | string[]> {
  const body: Record<string, string | string[]> = {};
  for (const [k, v] of fields) {
    const had = body[k];
    body[k] = had === undefined ? v : Array.isArray(had) ? [...had, v] : [had, v];
  }
  return body;
}

async function student() {
  const p = await f.person(db.knex, { password: PASSWORD });
  const period = await f.period(db.knex);
  const tuitionBill = await f.bill(db.knex, { personId: p.personId, periodId: period.id, feeItemId: tuition.id, due: '8000.00', paid: '0.03' });
  const lodgingBill = await f.bill(db.knex, { personId: p.personId, periodId: period.id, feeItemId: lodging.id, due: '1100.00' });
  const c = new Client(app);
  expect((await c.login(p.number, PASSWORD)).status).toBe(303);
  return { c, period, tuitionBill, lodgingBill };
}

describe('缴费信息修改 without JavaScript', () => {
  it('serves the 缴费金额 boxes editable, and a part amount typed into one goes through to 交费信息显示', async () => {
    const s = await student();
    const page = await s.c.get(`/pay/items?category=${encodeURIComponent('财政')}&period=${s.period.id}`);
    expect(page.status).toBe(200);
    const inputs = page.text.match(/<input class="amount"[^>]*>/g) ?? [];
    expect(inputs).toHaveLength(2);
    for (const tag of inputs) expect(tag).not.toMatch(/\breadonly\b/);
    expect(text(page.text)).toContain('7,999.97');

    const fields = formFields(page.text).map(([k, v]): [string, string] => (k === `amount_${s.tuitionBill}` ? [k, '5000.00'] : [k, v]));
    expect(fields.filter(([k]) => k === 'bill').map(([, v]) => v).sort()).toEqual([String(s.tuitionBill), String(s.lodgingBill)].sort());
    const sent = await s.c.post('/pay/items', asBody(fields));
    expect(sent.status, sent.text).toBe(303);
    expect(sent.headers.location).toBe('/pay/review');

    const review = text((await s.c.get('/pay/review')).text);
    expect(review).toContain('5,000.00');
    expect(review).toContain('共计交费：6,100.00元');
  });

  it('refuses an amount above the arrears or with three decimals, and serves the line open to correct', async () => {
    const s = await student();
    const page = await s.c.get(`/pay/items?category=${encodeURIComponent('财政')}&period=${s.period.id}`);
    for (const bad of ['7999.98', '12.345']) {
      const fields = formFields(page.text).map(([k, v]): [string, string] => (k === `amount_${s.tuitionBill}` ? [k, bad] : [k, v]));
      const res = await s.c.post('/pay/items', asBody(fields));
      expect(res.status).toBe(400);
      const tag = new RegExp(`<input class="amount" name="amount_${s.tuitionBill}"[^>]*>`).exec(res.text)?.[0] ?? '';
      expect(tag).toContain(`value="${bad}"`);
      expect(tag).not.toMatch(/\breadonly\b/);
      expect(res.text).toContain('field-error');
    }
    // Corrected in the same box: accepted.
    const fields = formFields(page.text).map(([k, v]): [string, string] => (k === `amount_${s.tuitionBill}` ? [k, '0.01'] : [k, v]));
    const ok = await s.c.post('/pay/items', asBody(fields));
    expect(ok.status).toBe(303);
    expect(text((await s.c.get('/pay/review')).text)).toContain('共计交费：1,100.01元');
  });
});
