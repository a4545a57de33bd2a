// A browser follows a 303 as soon as it has the headers. express-session sends the headers before
// its store write has finished, so on a busy store the next page read the session without the
// step just taken: 缴费信息修改 → 下一步 → sent back to 应交款明细表 with nothing said. Here the
// store's writes are slowed to 400 ms and the client asks for the next page the moment the
// redirect's headers arrive, as a browser does.
import { describe, expect, it } from 'vitest';
import { DEMO } from '../../seeds/demo';
import { createApp } from '../../src/app';
import type { QueryPool } from '../../src/db/connection';
import { SESSION_COOKIE } from '../../src/http/session';
import { createLogger } from '../../src/logger';
import { CAPTCHA_PATH } from '../../src/modules/captcha/routes';
import { listen, testConfig } from '../helpers/app';
import { text } from '../helpers/client';
import { headerClient } from '../helpers/header-client';
import { billIds } from '../helpers/world';
import { testDatabase } from '../helpers/test-db';
import { setPassword } from '../helpers/users';

const db = await testDatabase({ demo: true });
const PASSWORD = 'Zhangsan#2019';
await setPassword(db.knex, DEMO.student.number, PASSWORD);

const SLOW_MS = 400;
const slowPool: QueryPool = {
  async query(q, values) {
    const sql = typeof q === 'string' ? q : q.text;
    // connect-pg-simple's set and touch (INSERT … ON CONFLICT … / UPDATE "sessions" …), the
    // merging store's UPDATE sessions SET sess = … and its write of a regenerated session
    // (WITH gone AS (DELETE …) INSERT …, src/http/session-repo.ts).
    if (/sessions/i.test(sql) && /^\s*(insert|update|with gone)/i.test(sql)) await new Promise((r) => setTimeout(r, SLOW_MS));
    return db.pool.query(q as string, values);
  },
};
const app = createApp({ config: testConfig(db), db: { ...db, pool: slowPool }, logger: createLogger('silent') });
const { url } = await listen(app);

describe('a redirect after a session change', () => {
  it('is answered only once the session is stored: 缴费信息修改 → 下一步 always reaches 交费信息显示', async () => {
    const b = headerClient(url);
    await b.get('/login');
    const login = await b.post('/login', { username: DEMO.student.number, password: PASSWORD });
    expect(login.status).toBe(303);
    const home = await b.get(login.location!);
    expect(home.status, 'signed in at once').toBe(200);

    const ids = await billIds(db.knex, DEMO.student.number);
    const period = String(ids['学费']!.periodId);
    for (let round = 0; round < 3; round++) {
      await b.get(`/pay/items?category=${encodeURIComponent('财政')}&period=${period}`);
      const chosen = await b.post('/pay/items', {
        category: '财政', period, bill: [String(ids['学费']!.id)], [`amount_${ids['学费']!.id}`]: `${8000 - round}.00`,
      });
      expect(chosen.status).toBe(303);
      expect(chosen.location).toBe('/pay/review');
      const review = await b.get('/pay/review');
      expect(review.status, `round ${round}: sent to ${review.location ?? ''}`).toBe(200);
      expect(text(review.body).replace(/\s+/g, '')).toContain(`共计交费：${(8000 - round).toLocaleString('en-US')}.00元`);
    }
  });

  it('a first page is stored before its 验证码 image is asked for: the image and the form keep the page\'s session', async () => {
    const b = headerClient(url);
    // The image is asked for the moment the page's headers are in, as a browser parsing the page does.
    const page = await b.head('/login');
    expect(page.status).toBe(200);
    const sid = b.sessionId(SESSION_COOKIE);
    expect(sid).not.toBe('');
    const image = await b.get(CAPTCHA_PATH);
    expect(image.status).toBe(200);
    expect(b.sessionId(SESSION_COOKIE), 'the image came back with a new session').toBe(sid);
    const row = await db.knex('captchas').where({ session_id: sid }).first('answer');
    expect(row, 'the answer is bound to the page\'s session').toBeDefined();
  });
});
