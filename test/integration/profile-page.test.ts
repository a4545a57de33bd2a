// 个人信息 (GET /profile) as a student reads it, for each state of the 邮箱 — none, waiting for its
// link, confirmed, changed since (the new address waiting), unsubscribed, e-mail off — and the
// statements one request sends to PostgreSQL: one, the session's with its user and the page's read
// (src/modules/profile/page-reads.ts: the repo's profileSql, which reads the e-mail state through
// the email module's fragment), prepared, counted at the driver (test/helpers/statements.ts).
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import { createLogger } from '../../src/logger';
import type { Mail, MailSender } from '../../src/modules/email/sender';
import { buildServices } from '../../src/services';
import { testApp, testConfig } from '../helpers/app';
import { Client, text } from '../helpers/client';
import { statementsOf } from '../helpers/statements';
import { testDatabase } from '../helpers/test-db';
import * as f from '../factories';

const db = await testDatabase();
const PW = 'Abc12345!x';
const CARD_KEY = 'b2'.repeat(32);
const env = { BANK_CARD_KEY: CARD_KEY, PUBLIC_URL: 'http://pay.test' };

// E-mail on: a sender that keeps what it was given (the outbox, its rows and the drain are the real ones).
const sent: Mail[] = [];
const sender: MailSender = { send: async (m) => { sent.push(m); return { messageId: `m${sent.length}` }; }, close: () => {} };
const config = testConfig(db, env);
const services = buildServices({ config, db, logger: createLogger('silent'), mailSender: sender });
const app = createApp({ config, db, logger: createLogger('silent'), services });
afterAll(() => services.kicksIdle());
// E-mail off (no SMTP_URL, no sender): the 邮箱 says so whatever its rows.
const appOff = testApp(db, env);

async function student(on = app) {
  const p = await f.person(db.knex, { password: PW, mobile: '17812345520', name: '钱页面' });
  await db.knex('people').where({ id: p.personId }).update({ phone: '09312973305', address: '兰州市七里河区', postcode: '730050' });
  const c = new Client(on);
  expect((await c.login(p.number, PW)).status).toBe(303);
  return { p, c };
}

/** The 个人信息 table as a person reads it. */
async function table(c: Client): Promise<string> {
  const res = await c.get('/profile');
  expect(res.status).toBe(200);
  const html = /<table class="grid profile-info">[\s\S]*?<\/table>/.exec(res.text)![0];
  return text(html).trim();
}

const expected = (p: { number: string; idNumber: string }, o: { email: string; bank?: string; card?: string; security?: boolean }) =>
  `人员编号： ${p.number} 姓名： 钱页面 性别： 男 身份证号： ${p.idNumber} 电话： 09312973305 手机： 17812345520 ` +
  `邮箱：${o.email ? ` ${o.email}` : ''} 地址： 兰州市七里河区 邮编： 730050 开户银行： ${o.bank ?? '未设置'} 银行卡号： ${o.card ?? '未设置'} ` +
  `密保问题： ${o.security ? '已设置' : '未设置'}`;

/** Sets 邮箱 through 个人信息修改 and returns the confirmation link's token the student was mailed. */
async function changeEmail(c: Client, email: string): Promise<string> {
  await c.get('/profile/edit');
  const res = await c.post('/profile/edit', { mobile: '', email, postcode: '730050', address: '兰州市七里河区' });
  expect(res.headers.location).toBe('/profile?saved=email');
  await services.kicksIdle();
  const mail = sent.filter((m) => m.to === email).at(-1)!;
  return /\/email\/confirm\?token=([A-Za-z0-9_-]{43})/.exec(mail.text)![1]!;
}

const confirm = async (token: string) => expect((await new Client(app).post('/email/confirm', { token })).status).toBe(200);

describe('个人信息 shows every field and the 邮箱 state as it is on file', () => {
  it('no 邮箱: nothing beside it', async () => {
    const { p, c } = await student();
    expect(await table(c)).toBe(expected(p, { email: '' }));
  });

  it('a 邮箱 whose link is not yet opened, then confirmed, then changed (the new one waits), then confirmed and unsubscribed', async () => {
    const { p, c } = await student();
    const first = await changeEmail(c, 'first@mail.test');
    expect(await table(c)).toBe(expected(p, { email: 'first@mail.test (待确认（请打开邮件中的确认链接）)' }));
    await confirm(first);
    expect(await table(c)).toBe(expected(p, { email: 'first@mail.test (已确认)' }));
    // A pending change: the confirmed address is no longer the one on file.
    const second = await changeEmail(c, 'second@mail.test');
    expect(await table(c)).toBe(expected(p, { email: 'second@mail.test (待确认（请打开邮件中的确认链接）)' }));
    await confirm(second);
    expect(await table(c)).toBe(expected(p, { email: 'second@mail.test (已确认)' }));
    const token = services.email.unsubscribeUrl(p.personId).split('token=')[1]!;
    expect((await new Client(app).post('/email/unsubscribe', { token })).status).toBe(200);
    expect(await table(c)).toBe(expected(p, { email: 'second@mail.test (已确认，已退订提醒)' }));
  });

  it('e-mail off: the 邮箱 says so, confirmed or not', async () => {
    const { p, c } = await student();
    await confirm(await changeEmail(c, 'on@mail.test'));
    const off = new Client(appOff);
    expect((await off.login(p.number, PW)).status).toBe(303);
    expect(await table(off)).toBe(expected(p, { email: 'on@mail.test (邮件未开通)' }));
  });

  it('the bank card masked and 密保 set, after their own forms', async () => {
    const { p, c } = await student();
    await c.get('/profile/bank');
    expect((await c.post('/profile/bank', { bankName: '中国工商银行', cardNumber: '6222021234567890128', password: PW })).status).toBe(303);
    await db.knex('accounts').where({ id: p.accountId }).update({ security_question: '您的出生地是？' });
    expect(await table(c)).toBe(expected(p, { email: '', bank: '中国工商银行', card: '6222 **** **** 0128', security: true }));
  });
});

describe('statements per GET /profile', () => {
  for (const [name, setUp] of [
    ['without a 邮箱', async () => {}],
    ['with a confirmed 邮箱', async (c: Client) => confirm(await changeEmail(c, 'counted@mail.test'))],
    ['with a change waiting', async (c: Client) => {
      await confirm(await changeEmail(c, 'old@mail.test'));
      await changeEmail(c, 'new@mail.test');
    }],
  ] as const) {
    it(`${name}: one prepared statement, the session's with its user and the page's read`, async () => {
      const { c } = await student();
      await setUp(c);
      await c.get('/profile'); // the session as a repeat visit finds it (nothing left to store)
      const seen = await statementsOf(() => c.get('/profile'));
      expect(seen.length, JSON.stringify(seen)).toBeLessThanOrEqual(1);
      expect(seen.every((s) => s.named), JSON.stringify(seen)).toBe(true);
    });
  }
});
