// regenerate ends the old session in the statement that first writes the new one
// (src/http/session-store.ts). The ways a regenerated session may not be written: it is destroyed
// instead, or its write fails. Either way the old session must end, as express-session's own
// regenerate (destroy, then generate) ended it. A small app on the real store and database.
import express from 'express';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import type { QueryPool } from '../../src/db/connection';
import { SESSION_COOKIE, sessionMiddleware } from '../../src/http/session';
import { testDatabase } from '../helpers/test-db';

const db = await testDatabase();
let failReplace = false;
const pool: QueryPool = {
  async query(q, values) {
    const sql = typeof q === 'string' ? q : q.text;
    if (failReplace && /^\s*WITH gone AS/.test(sql)) throw new Error('write refused (test)');
    return db.pool.query(q as string, values);
  },
};

const app = express();
app.use(sessionMiddleware({ pool, secret: 'test-secret-test-secret-test-secret-0123456789', secure: false }));
const regenerated = (req: express.Request) => new Promise<void>((resolve, reject) => req.session.regenerate((e) => (e ? reject(e) : resolve())));
app.get('/start', (req, res) => {
  req.session.registeredIdNumber = 'before';
  res.status(204).end();
});
app.post('/regenerate-then-destroy', async (req, res, next) => {
  await regenerated(req);
  req.session.destroy((err) => (err ? next(err) : res.status(204).end()));
});
app.post('/regenerate', async (req, res) => {
  await regenerated(req);
  req.session.registeredIdNumber = 'after';
  res.status(204).end();
});
// A sign-in whose client gave up while it waited for bcrypt: the answer is closed before regenerate.
let clientLeft: (() => void) | undefined;
app.post('/regenerate-after-client-left', async (req, res) => {
  await new Promise((resolve) => (res.closed ? resolve(undefined) : res.once('close', resolve)));
  await regenerated(req);
  req.session.registeredIdNumber = 'after';
  res.status(204).end();
  clientLeft?.();
});
app.use((_err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
  if (!res.headersSent) res.status(500).end();
});

const sidOf = (cookie: string) => decodeURIComponent(cookie.split(';')[0]!.split('=')[1]!).slice(2).split('.')[0]!;
const rowOf = (sid: string) => db.knex('sessions').where({ sid }).first('sid', 'sess');

async function started() {
  const res = await request(app).get('/start');
  const cookie = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith(`${SESSION_COOKIE}=`))!;
  const sid = sidOf(cookie);
  expect(await rowOf(sid)).toBeTruthy();
  return { cookie: cookie.split(';')[0]!, sid };
}

describe('a regenerated session', () => {
  it('written: the old row is gone and the new one holds what was set', async () => {
    const old = await started();
    const res = await request(app).post('/regenerate').set('Cookie', old.cookie);
    expect(res.status).toBe(204);
    expect(await rowOf(old.sid)).toBeUndefined();
    const fresh = sidOf((res.headers['set-cookie'] as unknown as string[])[0]!);
    expect(fresh).not.toBe(old.sid);
    expect((await rowOf(fresh))?.sess).toMatchObject({ registeredIdNumber: 'after' });
  });

  it('destroyed before it was written: the old row goes with it', async () => {
    const old = await started();
    const res = await request(app).post('/regenerate-then-destroy').set('Cookie', old.cookie);
    expect(res.status).toBe(204);
    expect(await rowOf(old.sid)).toBeUndefined();
  });

  it('whose write fails: the old row is deleted once the answer is over', async () => {
    const old = await started();
    failReplace = true;
    try {
      // express-session saves at res.end, after the status is out: its error only reaches next().
      await request(app).post('/regenerate').set('Cookie', old.cookie);
      await expect.poll(() => rowOf(old.sid)).toBeUndefined();
    } finally {
      failReplace = false;
    }
  });

  it('whose client left before it was made, and whose write fails: the old row is still deleted', async () => {
    const old = await started();
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    failReplace = true;
    try {
      const handled = new Promise<void>((r) => (clientLeft = r));
      const req = http.request({ port: (server.address() as AddressInfo).port, host: '127.0.0.1', method: 'POST', path: '/regenerate-after-client-left', headers: { cookie: old.cookie } });
      req.on('error', () => undefined);
      req.end();
      setTimeout(() => req.destroy(), 100);
      await handled;
      await expect.poll(() => rowOf(old.sid)).toBeUndefined();
    } finally {
      failReplace = false;
      clientLeft = undefined;
      await new Promise((r) => server.close(r));
    }
  });
});
