// 催缴提醒 against a real SMTP server (smtp-server on a loopback port) and the
// sandbox SMS inbox: a campaign to 300 students sends each message once, even with 发送 pressed
// twice and two runners; the quiet window holds reminders until morning; the per-person daily
// limit holds a second campaign back; the preview's numbers are what goes; confirmation links
// expire and are single use; unsubscribing stops reminder mail; students are refused; bad input
// writes nothing. Time is injected as `now`, as the SMS outbox tests do.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import { businessDate } from '../../src/domain/business-date';
import { createLogger } from '../../src/logger';
import { drainEmail } from '../../src/modules/email/outbox';
import { setConfirmedContact } from '../../src/modules/email/repo';
import { drainSms } from '../../src/modules/sms/outbox';
import { testConfig } from '../helpers/app';
import { Client } from '../helpers/client';
import { testServices } from '../helpers/services';
import { testDatabase } from '../helpers/test-db';
import * as f from '../factories';

const db = await testDatabase();
const knex = db.knex;
const PASSWORD = 'Remind#2026x';

interface Received { to: string[]; raw: string }
const received: Received[] = [];
const smtp = new SMTPServer({
  authOptional: true, disabledCommands: ['STARTTLS', 'AUTH'], logger: false,
  onData(stream, session, cb) {
    let raw = '';
    stream.on('data', (c: Buffer) => { raw += c.toString('utf8'); });
    stream.on('end', () => { received.push({ to: session.envelope.rcptTo.map((r) => r.address), raw }); cb(); });
  },
});
await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
const smtpPort = (smtp.server.address() as AddressInfo).port;
afterAll(() => new Promise<void>((r) => smtp.close(() => r())));

const config = testConfig(db, { SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, MAIL_FROM: '兰州理工大学财务处 <pay@lut.test>', PUBLIC_URL: 'http://pay.test', REMINDER_QUIET_HOURS: '22:00-08:00' });
const s = testServices({ config, db });
const app = createApp({ config, db, logger: createLogger('silent'), services: s });
afterAll(() => s.mailSender?.close());

/** A Shanghai wall-clock instant. */
const at = (day: string, hhmm: string) => new Date(`${day}T${hhmm}:00+08:00`);
const dayAfter = (n: number) => businessDate(new Date(Date.now() + n * 24 * 3600_000));
const drainBoth = (now: Date) => Promise.all([
  drainSms({ knex, sender: s.smsSender, now: () => now, quiet: config.reminderQuiet, batchSize: 50 }),
  drainSms({ knex, sender: s.smsSender, now: () => now, quiet: config.reminderQuiet, batchSize: 50 }),
  drainEmail({ knex, sender: s.mailSender!, now: () => now, quiet: config.reminderQuiet, batchSize: 50 }),
  drainEmail({ knex, sender: s.mailSender!, now: () => now, quiet: config.reminderQuiet, batchSize: 50 }),
]);
/** A received mail's unfolded headers and its text decoded (nodemailer picks quoted-printable or base64 by content). */
function parseMail(raw: string): { headers: string; text: string } {
  const split = raw.search(/\r?\n\r?\n/);
  const headers = raw.slice(0, split).replace(/\r?\n[ \t]+/g, ' ');
  const body = raw.slice(split).trim();
  const cte = /^Content-Transfer-Encoding: *(\S+)/im.exec(headers)?.[1]?.toLowerCase();
  const bytes = cte === 'base64' ? Buffer.from(body, 'base64')
    : cte === 'quoted-printable' ? Buffer.from(body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1')
      : Buffer.from(body, 'utf8');
  return { headers, text: bytes.toString('utf8') };
}
const count = async (q: ReturnType<typeof knex>) => Number((await q.count({ n: "*" }).first<{ n: string }>())!.n);

let finance: Client;
let klassId: number;
let periodId: number;
let itemId: number;
const students: { personId: number; number: string; mobile: string }[] = [];

beforeAll(async () => {
  const fin = await f.person(knex, { role: 'finance_admin', password: PASSWORD });
  finance = new Client(app);
  expect((await finance.login(fin.number, PASSWORD)).status).toBe(303);
  const college = (await f.college(knex)).id;
  klassId = (await f.klass(knex, college)).id;
  periodId = (await f.period(knex)).id;
  itemId = (await f.feeItem(knex)).id;
  for (let i = 0; i < 300; i++) {
    const mobile = `139${String(10_000_000 + i)}`;
    const p = await f.person(knex, { collegeId: college, classId: klassId, mobile });
    await f.bill(knex, { personId: p.personId, periodId, feeItemId: itemId, due: '1200.50', paid: i % 2 ? '200.00' : undefined });
    students.push({ personId: p.personId, number: p.number, mobile });
  }
  // Half of them have a confirmed e-mail (the confirmation flow itself is tested below).
  for (const st of students.slice(0, 150)) {
    const email = `s${st.personId}@mail.test`;
    await knex('people').where({ id: st.personId }).update({ email });
    await setConfirmedContact(knex, st.personId, email, new Date());
  }
}, 120_000);

const campaignFields = (o: Record<string, string> = {}) => ({
  title: '学费催缴', body: '{姓名}同学，您尚有欠费{欠费金额}元，请尽快缴纳。', period: String(periodId), college: '', class: String(klassId), item: String(itemId),
  min_arrears: '100.00', when: 'now', send_at: '', sms: '1', email: '1', action: 'save', ...o,
});

describe('reminder campaigns', () => {
  let campaignId: number;
  let sendDay: string;

  it('previews the text with a sample person and the number reached; 发送 twice sends nothing twice', async () => {
    await finance.get('/console/reminders/new');
    const pv = await finance.post('/console/reminders', campaignFields({ action: 'preview' }));
    expect(pv.status, pv.text).toBe(200);
    expect(pv.text).toMatch(/class="preview-people">300</);
    expect(pv.text).toMatch(/class="preview-sms">300</);
    expect(pv.text).toMatch(/class="preview-email">150</);
    // The sample is the first of them by 学号, with what that student owes (odd ones paid 200.00).
    const sample = await knex('people').whereIn('id', students.map((x) => x.personId)).orderBy('number').first('id', 'name');
    const owes = students.findIndex((x) => x.personId === sample.id) % 2 ? '1,000.50' : '1,200.50';
    expect(pv.text).toContain(`【兰州理工大学】${sample.name}同学，您尚有欠费${owes}元，请尽快缴纳。`);
    expect(await count(knex('reminder_campaigns'))).toBe(0);

    const saved = await finance.post('/console/reminders', campaignFields());
    expect(saved.status, saved.text).toBe(303);
    campaignId = Number(/\/console\/reminders\/(\d+)$/.exec(saved.headers.location!)![1]);
    await finance.get(`/console/reminders/${campaignId}`);
    const [first, second] = await Promise.all([
      finance.post(`/console/reminders/${campaignId}/send`, {}), finance.post(`/console/reminders/${campaignId}/send`, {}),
    ]);
    expect([first.status, second.status].sort()).toEqual([303, 409]);
    await s.kicksIdle();
    expect(await count(knex('reminder_deliveries').where({ campaign_id: campaignId, channel: 'sms', status: 'queued' }))).toBe(300);
    expect(await count(knex('reminder_deliveries').where({ campaign_id: campaignId, channel: 'email', status: 'queued' }))).toBe(150);
    // Two job runners at once add nothing to a campaign already queued.
    await Promise.all([s.reminders.runDue(), s.reminders.runDue()]);
    expect(await count(knex('reminder_deliveries').where({ campaign_id: campaignId }))).toBe(450);
    sendDay = (await knex('reminder_deliveries').where({ campaign_id: campaignId }).first(knex.raw('send_day::text AS d'))).d;
    expect(await count(knex('audit_log').whereIn('action', ['reminder.create', 'reminder.send']))).toBe(2);
  });

  it('holds reminders through the quiet window, then sends each once with two runners on each outbox', async () => {
    received.length = 0;
    // The kick after 发送 ran on real time: by day it has sent them already, at night it held them.
    const smsBefore = await count(knex('sms_sandbox_inbox'));
    const sentByKick = await count(knex('sms_sandbox_inbox').whereIn('mobile', students.map((x) => x.mobile)));
    await drainBoth(at(dayAfter(1), '23:30'));
    const held = await count(knex('sms_outbox').where({ purpose: 'reminder', status: 'pending' }));
    const inboxAtNight = await count(knex('sms_sandbox_inbox'));
    for (let i = 0; i < 10; i++) await drainBoth(at(dayAfter(2), '08:30'));
    // Nothing went out at 23:30; what the kick had not sent waited for the morning.
    expect(inboxAtNight).toBe(smsBefore);
    expect(held + sentByKick).toBe(300);
    const rows = await knex('sms_sandbox_inbox').whereIn('mobile', students.map((x) => x.mobile)).groupBy('mobile').select('mobile').count({ n: '*' });
    expect(rows).toHaveLength(300);
    expect(rows.every((r) => Number(r.n) === 1)).toBe(true);
    const campaignMails = await knex('email_outbox').where({ purpose: 'reminder', status: 'sent' }).count({ n: '*' });
    expect(Number(campaignMails[0]!.n)).toBe(150);
    const page = await finance.get(`/console/reminders/${campaignId}`);
    expect(page.text).toMatch(/class="count-sms"><td[^>]*>短信<\/td><td[^>]*>0<\/td><td[^>]*>300<\/td><td[^>]*>0<\/td>/);
    expect(page.text).toMatch(/class="count-email"><td[^>]*>邮件<\/td><td[^>]*>0<\/td><td[^>]*>150<\/td>/);
  });

  it('the SMTP server got each reminder mail once, with the sample text and an unsubscribe link', async () => {
    // Mails sent by the kick before this test's counter was reset are in the outbox as sent.
    const sentAll = Number((await knex('email_outbox').where({ purpose: 'reminder', status: 'sent' }).count({ n: '*' }))[0]!.n);
    expect(sentAll).toBe(150);
    const to = received.flatMap((m) => m.to);
    expect(new Set(to).size).toBe(to.length);
    expect(received.length).toBeLessThanOrEqual(150);
    // Headers as a mail client reads them: nodemailer folds the long List-Unsubscribe line.
    const mail = received[0]!;
    const { headers, text } = parseMail(mail.raw);
    const token = /List-Unsubscribe: <http:\/\/pay\.test\/email\/unsubscribe\?token=(\d+\.[0-9a-f]{32})>/.exec(headers)?.[1];
    expect(token, headers).toBeTruthy();
    const i = students.findIndex((x) => mail.to.includes(`s${x.personId}@mail.test`));
    expect(token!.split('.')[0]).toBe(String(students[i]!.personId));
    // The text is this student's own: their name and what they still owe (odd ones paid 200.00).
    const { name } = await knex('people').where({ id: students[i]!.personId }).first('name');
    expect(text).toContain(`${name}同学，您尚有欠费${i % 2 ? '1,000.50' : '1,200.50'}元，请尽快缴纳。`);
    expect(text).toContain(`/email/unsubscribe?token=${token}`);
  });

  it('quiet window: a campaign sent at 23:00 is queued for 08:00 next day', async () => {
    const day = dayAfter(5);
    const id = await s.reminders.create({ accountId: 1, ip: '' }, {
      title: '夜间', body: '{姓名}请缴费', periodId, collegeId: null, classId: klassId, feeItemId: itemId, minArrears: '0', deferred: 'all', bySms: true, byEmail: false, sendAt: null,
    });
    await s.reminders.send({ accountId: 1, ip: '' }, id, at(day, '23:00'));
    const ids = await knex('reminder_deliveries').where({ campaign_id: id }).pluck('outbox_id');
    const next = await knex('sms_outbox').whereIn('id', ids).distinct('next_attempt_at');
    expect(next.map((r) => new Date(r.next_attempt_at).getTime())).toEqual([at(dayAfter(6), '08:00').getTime()]);
    const r = await drainSms({ knex, sender: s.smsSender, now: () => at(dayAfter(6), '07:59'), quiet: config.reminderQuiet });
    expect(r.claimed).toBe(0);
  });

  it('per-person limit: a second campaign the same day reaches nobody and says so', async () => {
    const id = await s.reminders.create({ accountId: 1, ip: '' }, {
      title: '再次', body: '{姓名}请缴费', periodId, collegeId: null, classId: klassId, feeItemId: itemId, minArrears: '0', deferred: 'all', bySms: true, byEmail: true, sendAt: null,
    });
    const r = await s.reminders.send({ accountId: 1, ip: '' }, id, at(sendDay, '12:00'));
    expect(r).toMatchObject({ sms: 0, email: 0, limited: 450 });
    const page = await finance.get(`/console/reminders/${id}`);
    expect(page.text).toMatch(/class="count-sms">(?:<td[^>]*>[^<]*<\/td>){4}<td[^>]*>300<\/td>/);
  });

  it('unsubscribe (no login) stops reminder mail for that person only', async () => {
    const who = students[0]!;
    const url = s.email.unsubscribeUrl(who.personId).replace('http://pay.test', '');
    const anon = new Client(app);
    expect((await anon.get(url)).status).toBe(200);
    expect((await anon.post('/email/unsubscribe', { token: url.split('token=')[1]! })).status).toBe(200);
    expect((await anon.get('/email/unsubscribe?token=1.00000000000000000000000000000000')).status).toBe(400);
    const pv = await s.reminders.preview({ periodId, collegeId: null, classId: klassId, feeItemId: itemId, minArrears: '0', deferred: 'all', body: 'x' });
    expect(pv.email).toBe(149);
    const id = await s.reminders.create({ accountId: 1, ip: '' }, {
      title: '第三次', body: '{姓名}请缴费', periodId, collegeId: null, classId: klassId, feeItemId: itemId, minArrears: '0', deferred: 'all', bySms: true, byEmail: true, sendAt: null,
    });
    const r = await s.reminders.send({ accountId: 1, ip: '' }, id, at(dayAfter(10), '10:00'));
    expect(r).toMatchObject({ sms: pv.sms, email: pv.email });
    expect(await count(knex('email_outbox').where({ person_id: who.personId, purpose: 'reminder', status: 'pending' }))).toBe(0);
  });
});

describe('e-mail confirmation from 个人信息', () => {
  it('sends a link to the new address; expired and reused links are refused', async () => {
    const p = await f.person(knex, { password: PASSWORD });
    const c = new Client(app);
    await c.login(p.number, PASSWORD);
    await c.get('/profile/edit');
    received.length = 0;
    const res = await c.post('/profile/edit', { mobile: '', email: 'new@mail.test', postcode: '', address: '' });
    expect(res.headers.location).toBe('/profile?saved=email');
    expect((await c.get('/profile')).text).toContain('待确认');
    // The save kicks the e-mail drain, which claims the row under its lease: a drain of the
    // test's own finds nothing until that kick has finished, so wait for it, then drain as the job would.
    await s.kicksIdle();
    await drainEmail({ knex, sender: s.mailSender!, quiet: config.reminderQuiet });
    const mail = received.find((m) => m.to.includes('new@mail.test'));
    expect(await knex('email_outbox').where({ address: 'new@mail.test' }).first('status', 'last_error')).toMatchObject({ status: 'sent' });
    expect(mail).toBeTruthy();
    const token = /\/email\/confirm\?token=([A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])/.exec(parseMail(mail!.raw).text)![1]!;
    expect(await count(knex('email_confirmations').where({ token_hash: token }))).toBe(0); // only the hash is kept
    await expect(s.email.confirm(token, '', new Date(Date.now() + 25 * 3600_000))).rejects.toMatchObject({ code: 'invalid' });
    const anon = new Client(app);
    expect((await anon.get(`/email/confirm?token=${token}`)).text).toContain('new@mail.test');
    expect((await anon.post('/email/confirm', { token })).status).toBe(200);
    expect((await anon.post('/email/confirm', { token })).status).toBe(400);
    expect((await c.get('/profile')).text).toContain('已确认');
    expect((await anon.get('/email/confirm?token=<script>')).status).toBe(400);
  });
});

describe('deadline reminders', () => {
  it('go by themselves N days before 收费终止, once per item and person', async () => {
    const ends = new Date(Date.now() + 2 * 24 * 3600_000);
    const item = await f.feeItem(knex, { endsAt: ends.toISOString() });
    const p = await f.person(knex, { mobile: '13800001111' });
    await f.bill(knex, { personId: p.personId, periodId, feeItemId: item.id, due: '80.00' });
    await finance.get('/console/reminders');
    const form = await finance.post('/console/reminders/deadlines', { item: String(item.id), enabled: '1', days: '3', body: '{收费项目}将于{截止日期}截止，欠{欠费金额}元', sms: '1' });
    expect(form.status, form.text).toBe(303);
    const noon = at(dayAfter(20), '12:00');
    const early = await s.reminders.runDue(new Date(ends.getTime() - 4 * 24 * 3600_000));
    expect(early.deadline.sms).toBe(0);
    const now = new Date(ends.getTime() - 24 * 3600_000);
    expect((await s.reminders.runDue(now)).deadline.sms).toBe(1);
    expect((await s.reminders.runDue(noon < ends ? noon : now)).deadline.sms).toBe(0);
    const body = (await knex('sms_outbox').where({ person_id: p.personId }).first('body')).body as string;
    expect(body).toContain(`${item.name}将于${businessDate(ends)}截止，欠80.00元`);
  });
});

describe('console pages refuse others; bad input writes nothing', () => {
  it('refuses students and department staff', async () => {
    const st = await f.person(knex, { password: PASSWORD });
    const c = new Client(app);
    await c.login(st.number, PASSWORD);
    for (const path of ['/console/reminders', '/console/reminders/new', '/console/reminders/1']) expect((await c.get(path)).status).toBe(403);
    expect((await c.post('/console/reminders', campaignFields(), { from: '/' })).status).toBe(403);
    const staff = await f.person(knex, { role: 'dept_staff', password: PASSWORD });
    const d = new Client(app);
    await d.login(staff.number, PASSWORD);
    expect((await d.get('/console/reminders')).status).toBe(403);
  });

  it('re-renders with the input kept and a Chinese message, never 500', async () => {
    const before = await count(knex('reminder_campaigns'));
    await finance.get('/console/reminders/new');
    for (const [fields, msg] of [
      [{ min_arrears: '12.345' }, '欠费金额须为最多两位小数的数字'],
      [{ sms: '', email: '' }, '请至少选择一个渠道'],
      [{ title: '' }, '请填写标题'],
      [{ when: 'later', send_at: '' }, '请填写发送时间'],
      [{ when: 'later', send_at: '2026-02-30T10:00' }, '发送时间无效'],
      [{ period: 'x' }, '收费期间无效'],
      [{ action: 'drop' }, '操作无效'],
    ] as [Record<string, string>, string][]) {
      const res = await finance.post('/console/reminders', campaignFields({ title: fields.title ?? '保留的标题', ...fields }));
      expect(res.status, JSON.stringify(fields)).toBe(400);
      expect(res.text).toContain(msg);
      if (fields.title === undefined) expect(res.text).toContain('保留的标题');
    }
    expect(await count(knex('reminder_campaigns'))).toBe(before);
    expect((await finance.get('/console/reminders/abc')).status).toBe(404);
    expect((await finance.post('/console/reminders/999999/send', {})).status).toBe(404);
    const bad = await finance.post('/console/reminders/deadlines', { item: String(itemId), days: '0', body: 'x', sms: '' });
    expect(bad.status).toBe(400);
    expect(await count(knex('deadline_reminders').where({ fee_item_id: itemId }))).toBe(0);
  });
});
