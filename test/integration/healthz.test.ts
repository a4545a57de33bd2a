// /healthz on its own connection (src/db/health-connection.ts): it answers while every pooled
// connection is taken by page work, and a connection cut under it is replaced on the next check.
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { testApp } from '../helpers/app';
import { testDatabase } from '../helpers/test-db';

const POOL = 3;
const db = await testDatabase({ poolMax: POOL });
const app = testApp(db);

const healthBackends = async () => Number((await db.knex.raw(
  `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'healthz'`,
)).rows[0].n);

describe('/healthz', () => {
  it('answers 200 while every connection of the pool is held', async () => {
    const held = await Promise.all(Array.from({ length: POOL }, () => db.knex.client.acquireConnection()));
    try {
      // A page would now wait for a connection; the check does not.
      const res = await request(app).get('/healthz');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'ok', db: 'ok' });
    } finally {
      for (const c of held) await db.knex.client.releaseConnection(c);
    }
  });

  it('keeps one connection of its own, however many checks come at once', async () => {
    const answers = await Promise.all(Array.from({ length: 4 }, () => request(app).get('/healthz')));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(await healthBackends()).toBe(1);
  });

  it('opens a new connection when its own was cut, and answers 200 again', async () => {
    expect((await request(app).get('/healthz')).status).toBe(200);
    await db.knex.raw(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'healthz'`);
    // The check that meets the cut connection may say 503 (it was cut under it); the next one is 200.
    const statuses: number[] = [];
    for (let i = 0; i < 3 && statuses.at(-1) !== 200; i++) statuses.push((await request(app).get('/healthz')).status);
    expect(statuses.at(-1)).toBe(200);
    expect(statuses.length).toBeLessThanOrEqual(2);
    expect(await healthBackends()).toBe(1);
  });
});
