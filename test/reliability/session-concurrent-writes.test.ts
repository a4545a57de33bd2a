// Two overlapping requests of one browser (two tabs) each change a different part of the session.
// express-session hands the store the whole session it loaded, and connect-pg-simple wrote that
// whole object over the row, so the request that saved last put back what it had loaded and undid
// the other (src/http/session-store.ts). Here the store's writes are slowed, and one of them is held
// at the pool until the other request has been answered: the slower request, started first, saves
// last. Every change of both must be in the session afterwards, and a key or a session that the
// faster one removed must stay removed.
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import type { QueryPool } from '../../src/db/connection';
import { SESSION_COOKIE } from '../../src/http/session';
import { createLogger } from '../../src/logger';
import { CAPTCHA_PATH } from '../../src/modules/captcha/routes';
import { SECURITY_QUESTIONS } from '../../src/modules/profile/messages';
import * as f from '../factories';
import { listen, testConfig } from '../helpers/app';
import { text } from '../helpers/client';
import { headerClient } from '../helpers/header-client';
import { testDatabase } from '../helpers/test-db';

const db = await testDatabase();
const PASSWORD = 'Chosen#2026x';
const SLOW_MS = 100;

/** The next session write whose values mention `marker` waits at the pool until released. */
let hold: { marker: string; arrived: () => void; released: Promise<void> } | null = null;
function holdWrite(marker: string) {
  let arrived!: () => void;
  let release!: () => void;
  const reached = new Promise<void>((r) => (arrived = r));
  hold = { marker, arrived, released: new Promise<void>((r) => (release = r)) };
  return { reached, release };
}
afterEach(() => {
  hold = null;
});

const slowPool: QueryPool = {
  async query(q, values) {
    const sql = typeof q === 'string' ? q : q.text;
    // A write of session data: connect-pg-simple's upsert, the merging store's UPDATE … SET sess, or
    // its upsert of a regenerated session (WITH gone AS (DELETE …) INSERT …).
    if (/sessions/i.test(sql) && /^\s*(insert|update|with gone)/i.test(sql) && /\bsess\s*=/i.test(sql)) {
      await new Promise((r) => setTimeout(r, SLOW_MS));
      const h = hold;
      if (h && (values ?? []).some((v) => (typeof v === 'string' ? v : JSON.stringify(v)).includes(h.marker))) {
        hold = null;
        h.arrived();
        await h.released;
      }
    }
    return db.pool.query(q as string, values);
  },
};
const app = createApp({ config: testConfig(db), db: { ...db, pool: slowPool }, logger: createLogger('silent') });
const { url } = await listen(app);
const tuition = await f.feeItem(db.knex, { category: '财政', name: '学费（并发）' });

/** A student with a 学费 bill, signed in, on 缴费信息修改 (so the next post can be 下一步). */
async function signedInStudent() {
  const p = await f.person(db.knex, { password: PASSWORD });
  const period = await f.period(db.knex);
  const billId = await f.bill(db.knex, { personId: p.personId, periodId: period.id, feeItemId: tuition.id, due: '8000.00' });
  const b = headerClient(url);
  await b.get('/login');
  const login = await b.post('/login', { username: p.number, password: PASSWORD });
  expect(login.location).toBe('/');
  const items = { category: '财政', period: String(period.id), bill: [String(billId)], [`amount_${billId}`]: '6000.00' };
  const openItems = () => b.get(`/pay/items?category=${encodeURIComponent('财政')}&period=${period.id}`);
  return { b, items, openItems };
}

/** 下一步 reached 交费信息显示 with the chosen amount: the wizard's step is in the session. */
async function expectWizardKept(b: ReturnType<typeof headerClient>) {
  const review = await b.get('/pay/review');
  expect(review.status, `交费信息显示 sent to ${review.location ?? ''}`).toBe(200);
  expect(text(review.body).replace(/\s+/g, '')).toContain('共计交费：6,000.00元');
}

describe('two overlapping requests of one session', () => {
  it('缴费信息修改 → 下一步 in one tab and 密保修改 step 1 in another: both steps are kept', async () => {
    const { b, items, openItems } = await signedInStudent();
    await openItems();
    const held = holdWrite('"wizard":');
    // Tab 1: 下一步. It loads the session, chooses the items, and its write is held.
    const next = b.post('/pay/items', items);
    await held.reached;
    // Tab 2: 验证密码, answered while tab 1 is still saving.
    const verified = await b.post('/profile/security', { password: PASSWORD });
    expect(verified.location).toBe('/profile/security/question');
    held.release();
    expect((await next).location).toBe('/pay/review');

    await expectWizardKept(b);
    const step2 = await b.get('/profile/security/question');
    expect(step2.status, `修改密保 sent to ${step2.location ?? ''}`).toBe(200);
  });

  it('a key the faster request deleted stays deleted: 密保修改 done in one tab, 下一步 saved later in another', async () => {
    const { b, items, openItems } = await signedInStudent();
    await b.get('/profile/security');
    expect((await b.post('/profile/security', { password: PASSWORD })).location).toBe('/profile/security/question');
    await b.get('/profile/security/question');
    const image = await b.get(CAPTCHA_PATH);
    expect(image.status).toBe(200);
    const { answer } = await db.knex('captchas').where({ session_id: b.sessionId(SESSION_COOKIE) }).first('answer');
    await openItems();

    const held = holdWrite('"wizard":');
    const next = b.post('/pay/items', items);
    await held.reached;
    // Tab 2 finishes 密保修改, which deletes step 1's mark from the session.
    const done = await b.post('/profile/security/question', { question: SECURITY_QUESTIONS[0]!, answer: '王芳', captcha: answer as string });
    expect(done.location).toBe('/profile?saved=security');
    held.release();
    expect((await next).location).toBe('/pay/review');

    await expectWizardKept(b);
    // Step 1's mark did not come back with tab 1's save: 修改密保 starts again at 验证密码.
    const step2 = await b.get('/profile/security/question');
    expect(step2.status).toBe(303);
    expect(step2.location).toBe('/profile/security?first=1');
  });

  it('退出登录 in one tab is not undone by a slower request of another tab saved after it', async () => {
    const { b, items, openItems } = await signedInStudent();
    await openItems();
    const sid = b.sessionId(SESSION_COOKIE);
    const held = holdWrite('"wizard":');
    const next = b.post('/pay/items', items);
    await held.reached;
    const out = await b.post('/logout', {});
    expect(out.location).toBe('/login?out=1');
    held.release();
    await next;

    expect(await db.knex('sessions').where({ sid }).first('sid'), 'the ended session was written again').toBeUndefined();
    // The tab that saved late is signed out too (its id no longer names a session).
    const pay = await b.get('/pay');
    expect(pay.status).toBe(303);
    expect(pay.location).toMatch(/^\/login/);
  });
});
