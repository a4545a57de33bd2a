// Issue 12 "Done when": every route of the app (read from the router stack, so a new route is
// covered without editing this file), GET and POST, as a student, a department staff member
// (教职工), finance (财务) and anonymously, with a corpus of bad inputs (test/fuzz/corpus.ts).
// No answer may be a 500, and a refused request (4xx) may write nothing.
//
// Forms are posted with the role's valid CSRF token, read from a page as the pages' own forms do,
// so a POST reaches its handler instead of stopping at the CSRF check. The app runs beside the
// sandbox on loopback (test/helpers/world.ts): a POST that reaches a channel reaches the sandbox.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO } from '../../seeds/demo';
import { Client, text } from '../helpers/client';
import { billIds, makeOrder, payEnv, setPassword, signedIn, PASSWORD } from '../helpers/world';
import { appRoutes, type RouteEntry } from '../helpers/routes';
import { testDatabase } from '../helpers/test-db';
import { BAD_PARAMS, bodyCases, queryCases, type BodyCase } from './corpus';
import { installWriteCounter } from './write-counter';

/**
 * Tables a refused request legitimately writes:
 *  - sessions: express-session stores and touches the visitor's session on any answer;
 *  - auth_throttle: a refused login, 找回密码 or e-bill check counts as a guess (src/modules/auth/throttle.ts;
 *    a check whose fields are not even in the accepted format is refused before it, ebills/routes.ts);
 *  - captchas: a 验证码 answer is used up by its first check, right or wrong (src/modules/captcha/repo.ts);
 *  - rate_limits: the 个人信息 re-authentication and the notify endpoints' counters (auth/lockout.ts, payment/notify-limit.ts);
 *  - audit_log: a refused sign-in at a real account, and the re-authentication lock, are on finance's record (auth/service.ts, profile/service.ts);
 * and, on the channels' notify endpoint only,
 *  - channel_events: a refused notification is kept for investigation (payment/service.ts handleNotification).
 */
const ALWAYS_ALLOWED = new Set(['sessions', 'auth_throttle', 'captchas', 'rate_limits', 'audit_log']);
const NOTIFY_ALLOWED = new Set(['channel_events']);

/** The inputs a route the role may not use still gets (see `guarded` below). */
const GUARDED_CASES = new Set(['NUL', 'invalid UTF-8', 'prototype key toString', 'more than 200 fields', 'oversized body', 'unknown charset', 'Content-Encoding: gzip with garbage', 'multipart garbage']);

/** What zod, body-parser or the router would say in English. */
const ENGLISH = /\b(Invalid|Expected|Too (big|small)|must (match|be|contain|have)|Required|Unrecognized|too large|Failed to decode|Bad Request|Internal Server Error)\b/;

const VIEWS = path.resolve(import.meta.dirname, '../../views');

/** Every field name any template's form has: the fallback for a route whose form we did not see. */
function templateFieldNames(): string[] {
  const names = new Set<string>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.ejs')) for (const m of readFileSync(p, 'utf8').matchAll(/name="([A-Za-z_][\w]*)"/g)) names.add(m[1]!);
    }
  };
  walk(VIEWS);
  names.delete('_csrf');
  names.delete('viewport');
  return [...names].sort();
}

const patternOf = (route: string) => new RegExp(`^${route.replace(/:[A-Za-z]+/g, '[^/]+')}$`);

/** The forms of a page: where each posts (or gets) to and the names of its fields. */
function formsIn(html: string, page: string): { action: string; method: string; names: string[] }[] {
  return [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)].map((m) => {
    const attrs = m[1]!;
    const action = (/action="([^"]*)"/.exec(attrs)?.[1] ?? page).replace(/&amp;/g, '&').split('?')[0]!;
    const method = (/method="([^"]*)"/.exec(attrs)?.[1] ?? 'get').toUpperCase();
    const names = [...new Set([...m[2]!.matchAll(/name="([^"]+)"/g)].map((n) => n[1]!))].filter((n) => n !== '_csrf');
    return { action: action || page, method, names };
  });
}

interface Finding {
  role: string;
  method: string;
  url: string;
  input: string;
  status: number | string;
  wrote?: Record<string, number>;
}

describe('fuzz: every route, every role, bad input', () => {
  it('answers no 500 and writes nothing on a refusal', { timeout: 600_000 }, async () => {
    const db = await testDatabase({ demo: true });
    const env = await payEnv(db);
    const knex = db.knex;
    for (const n of [DEMO.student.number, DEMO.deptStaff.number, DEMO.finance.number]) await setPassword(knex, n, PASSWORD);

    const routes = appRoutes(env.app).filter((r) => r.method === 'GET' || r.method === 'POST');
    const fallbackFields = templateFieldNames();

    // Real values for route parameters, so handlers get past their lookups.
    const zs = await knex('people').where({ number: DEMO.student.number }).first('id');
    const first = async (table: string, col: string, where: Record<string, unknown> = {}) => {
      const row = await knex(table).where(where).orderBy('id').first(col);
      return row ? String(row[col]) : null;
    };
    // A live order of 张三's, so the wizard's order pages get past their lookups.
    const insurance = (await billIds(knex, DEMO.student.number))['医疗保险']!;
    const due = await knex('bills').where({ id: insurance.id }).first('due');
    const zsOrder = await makeOrder(await signedIn(env, DEMO.student.number), '代收', insurance.periodId, { [insurance.id]: String(due.due) });
    const zsReceipt = (await first('receipts', 'receipt_no', { person_id: zs.id })) ?? (await first('receipts', 'receipt_no'));
    const ebill = await knex('ebills').join('receipts', 'receipts.id', 'ebills.receipt_id').orderByRaw('receipts.person_id = ? desc', [zs.id]).first('bill_code', 'bill_no');
    const realParams = (route: string): Record<string, string[]> => {
      return {
        id: route.includes('/people/') ? [String(zs.id)] : ['1'],
        orderNo: zsOrder ? [zsOrder] : ['20260101000001'],
        receiptNo: zsReceipt ? [zsReceipt] : ['R1'],
        billCode: ebill ? [String(ebill.bill_code)] : ['1'],
        billNo: ebill ? [String(ebill.bill_no)] : ['1'],
        channel: ['nontax', 'icbc', 'wechat', 'alipay', 'unionpay'],
      };
    };
    const params = (route: string) => [...route.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]!);
    const fill = (route: string, values: Record<string, string>) => route.replace(/:([A-Za-z]+)/g, (_, p: string) => values[p] ?? '1');
    const realFill = (route: string) => fill(route, Object.fromEntries(params(route).map((p) => [p, realParams(route)[p]?.[0] ?? '1'])));

    const counter = await installWriteCounter(knex);
    const findings: Finding[] = [];
    const noAnswer: Finding[] = [];
    const csrfStopped: Finding[] = [];
    const english: Finding[] = [];
    let requests = 0;
    const covered = new Set<string>();
    const spent = new Map<string, number>();
    const written = new Set<string>();

    const roles: { role: string; number: string | null }[] = [
      { role: '学生', number: DEMO.student.number },
      { role: '教职工', number: DEMO.deptStaff.number },
      { role: '财务', number: DEMO.finance.number },
      { role: '匿名', number: null },
    ];

    for (const { role, number } of roles) {
      let client = new Client(env.app);
      const signIn = async () => {
        await Promise.all([knex('rate_limits').del(), knex('auth_throttle').del()]);
        client = new Client(env.app);
        if (number) {
          const res = await client.login(number, PASSWORD);
          expect(res.status, `${role} signs in`).toBe(303);
          await client.get('/profile/password');
          if (!client.csrfToken) await client.get('/console/people');
        } else {
          await client.get('/login');
        }
        expect(client.csrfToken, `${role} has a CSRF token`).not.toBe('');
        await counter.since();
      };
      await signIn();

      // The forms this role is shown, so each POST gets the field names its handler reads.
      const fieldsByRoute = new Map<string, Set<string>>();
      for (const r of routes.filter((x) => x.method === 'GET')) {
        const url = realFill(r.path);
        const res = await client.agent.get(url).set('Accept', 'text/html');
        for (const f of formsIn(res.text ?? '', url)) {
          const target = routes.find((x) => x.method === f.method && patternOf(x.path).test(f.action));
          if (!target) continue;
          const key = `${target.method} ${target.path}`;
          const set = fieldsByRoute.get(key) ?? new Set();
          for (const n of f.names) set.add(n);
          fieldsByRoute.set(key, set);
        }
      }
      await counter.since();
      const fieldsOf = (r: RouteEntry) => {
        const seen = [...(fieldsByRoute.get(`${r.method} ${r.path}`) ?? [])];
        return seen.length ? seen : fallbackFields;
      };

      // Sign-out last: it ends the session every other request of the role needs.
      const ordered = [...routes].sort((a, b) => Number(a.path === '/logout') - Number(b.path === '/logout'));
      for (const r of ordered) {
        const started = performance.now();
        await Promise.all([knex('rate_limits').del(), knex('auth_throttle').del()]);
        await counter.since();
        let signedOut = false;
        const send = async (url: string, input: string, body?: () => BodyCase, accept = 'text/html') => {
          // A request that ended the session (退出登录 accepted): sign in again, so the next one
          // carries a live session and its token rather than stopping at the CSRF check.
          if (signedOut) {
            await signIn();
            signedOut = false;
          }
          const c = body?.();
          requests++;
          covered.add(`${r.method} ${r.path}`);
          const found: Finding = { role, method: r.method, url: url.length > 120 ? `${url.slice(0, 120)}…` : url, input, status: 0 };
          let t = r.method === 'GET' ? client.agent.get(url) : client.agent.post(url);
          t = t.set('Accept', accept);
          if (c) {
            t = t.set('Content-Type', c.type);
            for (const [k, v] of Object.entries(c.headers ?? {})) t = t.set(k, v);
            t = t.send(c.body);
          } else if (r.method === 'POST') {
            t = t.type('form').send(`_csrf=${encodeURIComponent(client.csrfToken)}`);
          }
          let res;
          try {
            res = await t;
          } catch (e) {
            noAnswer.push({ ...found, status: (e as Error).message });
            await counter.since();
            return { status: 0, location: '' };
          }
          found.status = res.status;
          if (res.status >= 500 && res.status !== 502 && res.status !== 503) findings.push(found);
          if ((number && String(res.headers.location ?? '').startsWith('/login')) || (r.path === '/logout' && res.status === 303)) signedOut = true;
          if (c?.label === 'NUL' && res.status === 403 && /请求来源无效/.test(res.text ?? '')) csrfStopped.push(found);
          // zod's or a parser's English must never reach a person (a channel's own answer is not a page).
          if (res.status >= 400 && !r.path.startsWith('/pay/notify') && ENGLISH.test(text(res.text ?? ''))) english.push({ ...found, status: `${res.status} ${ENGLISH.exec(text(res.text ?? ''))?.[0]}` });
          const wrote = await counter.since();
          for (const t2 of Object.keys(wrote)) written.add(t2);
          if (res.status >= 400 && res.status < 500) {
            const bad = Object.entries(wrote).filter(([t2]) => !ALWAYS_ALLOWED.has(t2) && !(r.path.startsWith('/pay/notify') && NOTIFY_ALLOWED.has(t2)));
            if (bad.length) findings.push({ ...found, wrote: Object.fromEntries(bad) });
          }
          return { status: res.status, location: String(res.headers.location ?? '') };
        };

        // A route this role may not use at all (403 from the role guard, or the sign-in page for
        // a visitor) refuses before reading any field: the whole corpus would only repeat that
        // answer, so it gets the inputs the stages before the guard see (path decoding, the body
        // parsers) and a NUL.
        const probe = await send(realFill(r.path), 'probe: real parameters, no fields');
        const guarded = probe.status === 403 || (!number && probe.location.startsWith('/login'));
        const keep = <T extends { label: string } | [string, string]>(list: T[]) =>
          guarded ? list.filter((x) => GUARDED_CASES.has(Array.isArray(x) ? x[0] : x.label)) : list;

        // Route parameters: each bad value in turn, the others real.
        for (const p of params(r.path)) {
          for (const [label, v] of keep([...(realParams(r.path)[p] ?? []).map((x) => [`real ${p}`, x] as [string, string]), ...BAD_PARAMS])) {
            const values = Object.fromEntries(params(r.path).map((q) => [q, realParams(r.path)[q]?.[0] ?? '1']));
            values[p] = v;
            await send(fill(r.path, values), `:${p} ${label}`);
          }
        }
        const url = realFill(r.path);
        const fields = fieldsOf(r);
        if (r.method === 'GET') {
          for (const q of keep(queryCases(fields))) await send(`${url}?${q.query}`, `query: ${q.label}`);
        } else {
          // Built again for each request: a sign-in between two requests changes the token.
          const cases = () => keep(bodyCases(fields, client.csrfToken));
          for (let i = 0; i < cases().length; i++) await send(url, `body: ${cases()[i]!.label}`, () => cases()[i]!);
          await send(url, 'body: NUL, JSON asked for', () => cases()[0]!, 'application/json');
        }
        if (signedOut) await signIn();
        const k = `${r.method} ${r.path}`;
        spent.set(k, (spent.get(k) ?? 0) + performance.now() - started);
      }
    }

    const show = (f: Finding) => `${f.role} ${f.method} ${f.url} [${f.input}] → ${f.status}${f.wrote ? ` wrote ${JSON.stringify(f.wrote)}` : ''}`;
    console.log(`fuzz: ${routes.length} routes in the app, ${covered.size} method+path pairs covered, ${requests} requests`);
    // The slowest routes, to see where the run's time goes when it grows.
    console.log([...spent].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([k, ms]) => `${k} ${Math.round(ms)} ms`).join('\n'));
    for (const f of [...findings, ...noAnswer, ...csrfStopped, ...english]) console.log(show(f));
    // The counter itself works: every signed-in request touches its session row.
    expect(written.has('sessions')).toBe(true);
    expect(findings.map(show), '500s and writes by refused requests').toEqual([]);
    expect(noAnswer.map(show), 'requests with no answer').toEqual([]);
    expect(english.map(show), 'English messages on refused pages').toEqual([]);
    expect(csrfStopped.map(show), 'form posts stopped by the CSRF check although they carried a valid token').toEqual([]);
  });
});
