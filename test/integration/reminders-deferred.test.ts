// 催缴提醒 and 缓缴: a campaign's 缓缴情况 (全部 / 仅缓缴 / 不含缓缴) chooses by a
// deferral in force on a matching bill, and what a reminder asks for — the threshold and {欠费金额} —
// is the real arrears, what is owed less what deferrals in force hold back (an expired deferral is
// ordinary arrears again). The preview's count is who the send reaches, for each value. The
// deadline reminder leaves out a student whose whole remaining amount is deferred. A bad 缓缴情况
// re-renders in Chinese and writes nothing. Deferrals are granted and paid through the console.
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import { businessDate } from '../../src/domain/business-date';
import { createLogger } from '../../src/logger';
import { testConfig } from '../helpers/app';
import { Client, text } from '../helpers/client';
import { testServices } from '../helpers/services';
import { testDatabase } from '../helpers/test-db';
import * as f from '../factories';

const db = await testDatabase();
const k = db.knex;
const PASSWORD = 'Remind#2026x';
const config = testConfig(db, { REMINDER_QUIET_HOURS: '22:00-08:00' });
const s = testServices({ config, db });
const app = createApp({ config, db, logger: createLogger('silent'), services: s });

const DAY = 24 * 3600_000;
const inDays = (n: number) => businessDate(new Date(Date.now() + n * DAY));
/** A Shanghai wall-clock instant n days from now: each campaign goes on its own day (one reminder a day per person). */
const noon = (n: number) => new Date(`${inDays(n)}T12:00:00+08:00`);
const count = async (q: ReturnType<typeof k>) => Number((await q.count({ n: '*' }).first<{ n: string }>())!.n);

let finance: Client;
let financeAccount: number;
let klassId: number;
let periodId: number;
let tuition: { id: number; name: string };
let dorm: { id: number; name: string };
type Who = 'plain' | 'full' | 'partly' | 'otherBill' | 'expired' | 'paidDown';
const people = {} as Record<Who, { personId: number; number: string; name: string; tuitionBill: number }>;

async function defer(personId: number, billId: number, amount: string) {
  await finance.get(`/console/people/${personId}`);
  const res = await finance.post(`/console/people/${personId}/deferrals`, { kind: 'national', expected: inDays(30), reason: '国家助学贷款办理中', [`defer_${billId}`]: amount });
  expect(res.status, res.text.slice(0, 400)).toBe(303);
}

beforeAll(async () => {
  const fin = await f.person(k, { role: 'finance_admin', password: PASSWORD });
  financeAccount = fin.accountId;
  finance = new Client(app);
  expect((await finance.login(fin.number, PASSWORD)).status).toBe(303);
  const college = (await f.college(k)).id;
  klassId = (await f.klass(k, college)).id;
  periodId = (await f.period(k)).id;
  tuition = await f.feeItem(k, { category: '财政', name: '学费' });
  dorm = await f.feeItem(k, { category: '代收', name: '住宿费' });
  // Each owes 学费 1,000.00; otherBill owes 住宿费 300.00 besides.
  for (const who of ['plain', 'full', 'partly', 'otherBill', 'expired', 'paidDown'] as Who[]) {
    const p = await f.person(k, { collegeId: college, classId: klassId });
    const tuitionBill = await f.bill(k, { personId: p.personId, periodId, feeItemId: tuition.id, due: '1000.00' });
    people[who] = { ...p, tuitionBill };
  }
  await f.bill(k, { personId: people.otherBill.personId, periodId, feeItemId: dorm.id, due: '300.00' });
  await defer(people.full.personId, people.full.tuitionBill, '1000.00'); // real arrears 0
  await defer(people.partly.personId, people.partly.tuitionBill, '600.00'); // real arrears 400.00
  await defer(people.otherBill.personId, people.otherBill.tuitionBill, '1000.00'); // real arrears 300.00 (住宿费)
  await defer(people.expired.personId, people.expired.tuitionBill, '1000.00');
  await defer(people.paidDown.personId, people.paidDown.tuitionBill, '800.00');
  // paidDown then pays 500.00 at the counter: owes 500.00, all of it within the 800.00 deferred (real 0, not below).
  const counter = await finance.post(`/console/people/${people.paidDown.personId}/counter`, { method: 'cash', reason: '现金缴纳', [`amount_${people.paidDown.tuitionBill}`]: '500.00' });
  expect(counter.status, counter.text.slice(0, 400)).toBe(303);
  // expired's deferral passes its day with no loan: the job turns it back into arrears.
  await k('deferrals').where({ person_id: people.expired.personId }).update({ expected_on: inDays(-1) });
  expect((await s.console.deferrals.expire(new Date())).expired).toBe(1);
  await s.kicksIdle();
}, 60_000);

const fields = (o: Record<string, string> = {}) => ({
  title: '学费催缴', body: '{姓名}同学，您尚有欠费{欠费金额}元，请尽快缴纳。', period: String(periodId), college: '', class: String(klassId), item: '',
  min_arrears: '0', deferred: 'all', when: 'now', send_at: '', sms: '1', action: 'preview', ...o,
});
const previewCount = (html: string) => Number(/class="preview-people">(\d+)</.exec(html)?.[1]);
const set = (...who: Who[]) => who.map((w) => people[w].personId).sort((a, b) => a - b);

describe('缓缴情况 of a campaign', () => {
  const cases: [string, string, Who[]][] = [
    ['all', '全部', ['plain', 'partly', 'otherBill', 'expired']],
    ['deferred', '仅缓缴', ['partly', 'otherBill']],
    ['not_deferred', '不含缓缴', ['plain', 'expired']],
  ];
  let day = 1;
  for (const [value, label, expected] of cases) {
    it(`${label}: the preview counts who the send reaches, asking each for real arrears`, async () => {
      await finance.get('/console/reminders/new');
      const pv = await finance.post('/console/reminders', fields({ deferred: value }));
      expect(pv.status, pv.text.slice(0, 400)).toBe(200);
      expect(previewCount(pv.text)).toBe(expected.length);
      expect(pv.text).toContain(`<option value="${value}" selected>${label}</option>`);

      const saved = await finance.post('/console/reminders', fields({ deferred: value, action: 'save', title: `催缴${label}` }));
      expect(saved.status, saved.text.slice(0, 400)).toBe(303);
      const id = Number(/\/console\/reminders\/(\d+)$/.exec(saved.headers.location!)![1]);
      expect((await k('reminder_campaigns').where({ id }).first('deferred')).deferred).toBe(value);
      const page = await finance.get(`/console/reminders/${id}`);
      expect(page.text).toContain(`<span class="campaign-deferred">${label}</span>`);
      expect(previewCount(page.text)).toBe(expected.length);
      expect(text((await finance.get('/console/reminders')).text)).toContain(`催缴${label} 草稿 短信 ${label}`);

      const r = await s.reminders.send({ accountId: financeAccount, ip: '' }, id, noon(day++));
      expect(r).toMatchObject({ sms: expected.length, limited: 0 });
      const reached = await k('reminder_deliveries').where({ campaign_id: id }).orderBy('person_id').pluck('person_id');
      expect(reached).toEqual(set(...expected));
      // What each is asked for: 学费 less what is deferred, plus what is not deferred.
      const owed: Record<Who, string> = { plain: '1,000.00', expired: '1,000.00', partly: '400.00', otherBill: '300.00', full: '', paidDown: '' };
      const bodies = await k('sms_outbox as o').join('reminder_deliveries as d', 'd.outbox_id', 'o.id').where('d.campaign_id', id).select('d.person_id', 'o.body');
      for (const b of bodies) {
        const who = expected.find((w) => people[w].personId === b.person_id)!;
        expect(b.body).toBe(`【兰州理工大学】${people[who].name}同学，您尚有欠费${owed[who]}元，请尽快缴纳。`);
      }
    });
  }

  it('仅缓缴 and 不含缓缴 look at the bills chosen: a deferral on 学费 is not one on 住宿费', async () => {
    const base = { periodId, collegeId: null, classId: klassId, minArrears: '0', body: 'x' };
    // 学费 only: otherBill owes nothing real there (all deferred), partly owes 400.00.
    expect((await s.reminders.preview({ ...base, feeItemId: tuition.id, deferred: 'deferred' })).people).toBe(1);
    // 住宿费 only: otherBill's 住宿费 bill has no deferral, so it is 不含缓缴 there.
    expect((await s.reminders.preview({ ...base, feeItemId: dorm.id, deferred: 'deferred' })).people).toBe(0);
    expect((await s.reminders.preview({ ...base, feeItemId: dorm.id, deferred: 'not_deferred' })).people).toBe(1);
  });

  it('the threshold is on real arrears: who owes 1,000.00 with 600.00 deferred is above 350 but not above 400', async () => {
    await finance.get('/console/reminders/new');
    const above = (min: string) => finance.post('/console/reminders', fields({ min_arrears: min })).then((r) => previewCount(r.text));
    expect(await above('350')).toBe(3); // plain, expired (1,000.00) and partly (400.00); not otherBill (300.00 real of 1,300.00 owed)
    expect(await above('400')).toBe(2); // partly owes 1,000.00 on its bill but only 400.00 real
    expect(await above('999.99')).toBe(2);
    expect(await above('1000')).toBe(0);
    const pv = await s.reminders.preview({ periodId, collegeId: null, classId: klassId, feeItemId: null, minArrears: '350', deferred: 'deferred', body: '{欠费金额}' });
    expect(pv).toMatchObject({ people: 1, text: '400.00' });
  });
});

describe('the deadline reminder', () => {
  it('skips a student whose whole remaining amount is deferred and asks the others for real arrears', async () => {
    const ends = new Date(Date.now() + 2 * DAY);
    const item = await f.feeItem(k, { endsAt: ends.toISOString(), name: '教材费', feeType: '其他费用' });
    const make = async (deferred: string | null) => {
      const p = await f.person(k, {});
      const bill = await f.bill(k, { personId: p.personId, periodId, feeItemId: item.id, due: '500.00' });
      if (deferred) await defer(p.personId, bill, deferred);
      return p;
    };
    const whole = await make('500.00');
    const part = await make('200.00');
    const plain = await make(null);
    await finance.get('/console/reminders');
    const form = await finance.post('/console/reminders/deadlines', { item: String(item.id), enabled: '1', days: '3', body: '{收费项目}将于{截止日期}截止，欠{欠费金额}元', sms: '1' });
    expect(form.status, form.text.slice(0, 400)).toBe(303);
    const r = await s.reminders.runDue(new Date(ends.getTime() - DAY));
    expect(r.deadline.sms).toBe(2);
    const rows = await k('reminder_deliveries as d').join('sms_outbox as o', 'o.id', 'd.outbox_id').where('d.deadline_item_id', item.id).select('d.person_id', 'o.body');
    expect(rows.map((x) => x.person_id).sort((a, b) => a - b)).toEqual([part.personId, plain.personId].sort((a, b) => a - b));
    expect(rows.find((x) => x.person_id === part.personId)!.body).toContain('欠300.00元');
    expect(rows.find((x) => x.person_id === plain.personId)!.body).toContain('欠500.00元');
    expect(await count(k('reminder_deliveries').where({ person_id: whole.personId }))).toBe(0);
  });
});

describe('a bad 缓缴情况', () => {
  it('re-renders with a Chinese message and the input kept, writing nothing; the column refuses it too', async () => {
    const before = await count(k('reminder_campaigns'));
    await finance.get('/console/reminders/new');
    for (const action of ['preview', 'save']) {
      for (const value of ['maybe', '', 'ALL']) {
        const res = await finance.post('/console/reminders', fields({ deferred: value, action, title: '保留的标题' }));
        expect(res.status, `${action} ${value}`).toBe(400);
        expect(res.text).toContain('缓缴情况无效，请选择全部、仅缓缴或不含缓缴');
        expect(res.text).toContain('value="保留的标题"');
        expect(res.text).not.toContain('id="preview"');
      }
    }
    // Another field wrong: the 缓缴情况 chosen is still selected on the page shown again.
    const kept = await finance.post('/console/reminders', fields({ deferred: 'not_deferred', action: 'save', title: '' }));
    expect(kept.status).toBe(400);
    expect(kept.text).toContain('<option value="not_deferred" selected>不含缓缴</option>');
    expect(await count(k('reminder_campaigns'))).toBe(before);
    await expect(k('reminder_campaigns').insert({ title: '直接写入', body: '请缴费', by_sms: true, by_email: false, deferred: 'maybe' }))
      .rejects.toMatchObject({ code: '23514' });
  });
});
