// 找回密码 must not confirm a 学号 + 身份证号 pair (it once did: a real pair without 密保 was shown
// the finance phones, a wrong pair a question). Both now take the same path, by the same work: same
// status, same body once the per-request values are taken out, and timings within noise.
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { testApp } from '../helpers/app';
import { Client, text } from '../helpers/client';
import { testDatabase } from '../helpers/test-db';
import * as f from '../factories';

const db = await testDatabase();
const app = testApp(db);
let address = 0;

/** What step 1 answers and what the page it leads to shows, with the per-request values taken out. */
async function step1(username: string, idNumber: string) {
  // Each from its own address, as different people: the throttle then treats every try alike too.
  const c = new Client(app, { ip: `10.50.0.${++address}` });
  await c.get('/recover');
  const t0 = performance.now();
  const res = await c.post('/recover', { username, idNumber });
  const ms = performance.now() - t0;
  const page = await c.get('/recover/answer');
  return {
    ms,
    answer: {
      status: res.status,
      location: res.headers.location,
      body: res.text,
      cookies: (([] as string[]).concat(res.headers['set-cookie'] ?? [])).map((x) => x.split('=')[0]).sort(),
    },
    page: {
      status: page.status,
      // The question is the stand-in one, picked per pair: the same pair always shows the same one.
      body: page.text.replace(/name="_csrf" value="[^"]+"/g, '').replace(/<span class="question">[^<]*<\/span>/, '<span class="question">?</span>'),
    },
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('找回密码 answers alike', () => {
  it('a real pair without 密保 and a wrong pair: identical status and body, timings within noise', async () => {
    const real: Awaited<ReturnType<typeof step1>>[] = [];
    const wrong: Awaited<ReturnType<typeof step1>>[] = [];
    for (let i = 0; i < 10; i++) {
      const p = await f.person(db.knex); // no 密保
      real.push(await step1(p.number, p.idNumber));
      wrong.push(await step1(p.number, f.idNumber()));
    }
    for (let i = 0; i < 10; i++) {
      expect(real[i]!.answer).toEqual(wrong[i]!.answer);
      expect(real[i]!.page).toEqual(wrong[i]!.page);
    }
    expect(real[0]!.answer.status).toBe(303);
    expect(text(real[0]!.page.body)).toContain('如未设置密保或忘记密保答案，请联系财务处电话');
    expect(text(real[0]!.page.body)).not.toContain('未设置密保）');

    const [a, b] = [median(real.map((r) => r.ms)), median(wrong.map((r) => r.ms))];
    console.log(`找回密码 step 1 medians of 10: real pair without 密保 ${a.toFixed(1)} ms, wrong pair ${b.toFixed(1)} ms`);
    // Generous: a difference in the work done (a bcrypt, a second query) would be many times this.
    expect(Math.max(a, b) / Math.min(a, b) < 3 || Math.abs(a - b) < 15).toBe(true);
  });
});
