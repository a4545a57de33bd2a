// A browser follows a 303 as soon as it has the headers. express-session sends the headers before
// its store write has finished, so on a busy store the next page read the session without the
// step just taken: 缴费信息修改 → 下一步 → sent back to 应交款明细表 with nothing said. Here the
// store's writes are slowed to 400 ms and the client asks for the next page the moment the
// redirect's headers arrive, as a browser does.
import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { DEMO } from '../../seeds/demo';
import { createApp } from '../../src/app';
import type { QueryPool } from '../../src/db/connection';
import { createLogger } from '../../src/logger';
import { listen, testConfig } from '../helpers/app';
import { text } from '../helpers/client';
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
    // connect-pg-simple's set and touch: INSERT … ON CONFLICT … / UPDATE "sessions" …
    if (/sessions/i.test(sql) && /^\s*(insert|update)/i.test(sql)) await new Promise((r) => setTimeout(r, SLOW_MS));
    return db.pool.query(q as string, values);
  },
};
const app = createApp({ config: testConfig(db), db: { ...db, pool: slowPool }, logger: createLogger('silent') });
const { url } = await listen(app);

/** A client that keeps cookies and, like a browser, can act on an answer's headers alone. */
function browserLike() {
  const jar = new Map<string, string>();
  const send = (method: string, path: string, form?: Record<string, string | string[]>, onHeaders = false) =>
    new Promise<{ status: number; location?: string; body: string }>((resolve, reject) => {
      const body = form ? new URLSearchParams(Object.entries(form).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]]))).toString() : undefined;
      const r = http.request(`${url}${path}`, {
        method,
        headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '), accept: 'text/html', ...(body ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } : {}) },
      }, (res) => {
        for (const c of res.headers['set-cookie'] ?? []) {
          const [pair] = c.split(';');
          const i = pair!.indexOf('=');
          jar.set(pair!.slice(0, i), pair!.slice(i + 1));
        }
        const head = { status: res.statusCode!, location: res.headers.location };
        if (onHeaders) {
          res.resume();
          return resolve({ ...head, body: '' });
        }
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ ...head, body: text }));
      });
      r.on('error', reject);
      r.end(body);
    });
  let token = '';
  const remember = (html: string) => {
    const m = /name="_csrf" value="([^"]+)"/.exec(html);
    if (m) token = m[1]!;
  };
  return {
    async get(path: string) {
      const res = await send('GET', path);
      remember(res.body);
      return res;
    },
    /** Posts a form and hands back the answer as soon as its headers are in. */
    post: (path: string, form: Record<string, string | string[]>) => send('POST', path, { _csrf: token, ...form }, true),
  };
}

describe('a redirect after a session change', () => {
  it('is answered only once the session is stored: 缴费信息修改 → 下一步 always reaches 交费信息显示', async () => {
    const b = browserLike();
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
});
