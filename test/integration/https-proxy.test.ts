// HTTPS behind a TLS-terminating proxy: a real nginx in front of the app, configured as
// the README's deployment section shows. Through it the session cookie is Secure and login works,
// HSTS is sent, and req.ip is the client's address, not nginx's. Straight to the app over plain
// http, from an address that is not a trusted proxy, the answer is the documented one.
import request from 'node:https';
import { afterAll, describe, expect, it } from 'vitest';
import { HTTPS_REQUIRED } from '../../src/http/https';
import { listen, testApp } from '../helpers/app';
import { Client, text } from '../helpers/client';
import { startTlsProxy } from '../helpers/nginx';
import { testDatabase } from '../helpers/test-db';
import * as f from '../factories';

const NGINX_ADDRESS = '127.0.0.3';
const CLIENT_ADDRESS = '127.0.0.5';

const db = await testDatabase();
// Only nginx's address is trusted; COOKIE_SECURE as production would have it by default.
const app = testApp(db, { TRUST_PROXY: NGINX_ADDRESS, COOKIE_SECURE: '1' });
const { url: upstream } = await listen(app);
const nginx = await startTlsProxy({ upstream, bindFrom: NGINX_ADDRESS });
afterAll(() => nginx.stop());

/** A browser over https from CLIENT_ADDRESS: keeps cookies, trusts the test's certificate. */
function browser() {
  const jar = new Map<string, string>();
  const send = (method: 'GET' | 'POST', path: string, form?: Record<string, string>, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }>((resolve, reject) => {
      const body = form ? new URLSearchParams(form).toString() : undefined;
      const req = request.request(`${nginx.url}${path}`, {
        method, ca: nginx.cert, localAddress: CLIENT_ADDRESS,
        headers: {
          Accept: 'text/html', ...headers,
          ...(jar.size ? { Cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } : {}),
          ...(body ? { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': String(Buffer.byteLength(body)) } : {}),
        },
      }, (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (data += d));
        res.on('end', () => {
          for (const c of res.headers['set-cookie'] ?? []) {
            const [pair] = c.split(';');
            const i = pair!.indexOf('=');
            jar.set(pair!.slice(0, i), pair!.slice(i + 1));
          }
          resolve({ status: res.statusCode!, headers: res.headers, text: data });
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  return { send, jar };
}

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1]!;

describe('behind nginx with TLS', () => {
  it('signs in over https: Secure session cookie, HSTS, and the client’s address as req.ip', async () => {
    const p = await f.person(db.knex, { password: 'Chosen@2026x' });
    const b = browser();
    const page = await b.send('GET', '/login');
    expect(page.status).toBe(200);
    expect(page.headers['strict-transport-security']).toMatch(/max-age=\d+/);

    // A wrong password first: the failure is counted against the client's address, not nginx's,
    // and not the one a client wrote into X-Forwarded-For itself.
    const wrong = await b.send('POST', '/login', { _csrf: csrfOf(page.text), username: p.number, password: 'wrong-1' }, { 'X-Forwarded-For': '6.6.6.6' });
    expect(wrong.status).toBe(401);
    const addresses = (await db.knex('auth_throttle').where({ scope: 'login', account: '' }).pluck('address')) as string[];
    expect(addresses).toEqual([CLIENT_ADDRESS]);

    const res = await b.send('POST', '/login', { _csrf: csrfOf(wrong.text), username: p.number, password: 'Chosen@2026x' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/');
    const sid = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('cupp.sid='));
    expect(sid).toMatch(/; Secure/i);
    expect(sid).toMatch(/; HttpOnly/i);
    const home = await b.send('GET', '/');
    expect(home.status).toBe(200);
    expect(text(home.text)).toContain(`编号：${p.number}`);
    expect(home.headers['strict-transport-security']).toBeTruthy();
  });

  it('over plain http from an address that is not a trusted proxy: page reads go to https, forms are refused with a page saying so', async () => {
    const p = await f.person(db.knex, { password: 'Chosen@2026x' });
    // 127.0.0.1 is not TRUST_PROXY here, so its X-Forwarded-Proto is not believed.
    const c = new Client(app);
    const page = await c.agent.get('/login').set('X-Forwarded-Proto', 'https').set('Host', 'pay.example.edu.cn');
    expect(page.status).toBe(308);
    expect(page.headers.location).toBe('https://pay.example.edu.cn/login');
    const post = await c.agent.post('/login').type('form').set('Accept', 'text/html').send({ username: p.number, password: 'Chosen@2026x' });
    expect(post.status).toBe(403);
    expect(text(post.text)).toContain(HTTPS_REQUIRED);
    expect(post.headers['set-cookie']).toBeUndefined();
    // The health check stays reachable over http for the proxy and the orchestrator.
    expect((await c.agent.get('/healthz')).status).toBe(200);
  });
});
