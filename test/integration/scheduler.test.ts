import { describe, expect, it } from 'vitest';
import { connect } from '../../src/db/connection';
import { createScheduler } from '../../src/jobs/scheduler';
import { createLogger } from '../../src/logger';
import { testDatabase } from '../helpers/test-db';

const db = await testDatabase();
const logger = createLogger('silent');

describe('job scheduler', () => {
  it('runs a job started on two instances at once exactly once per slot', async () => {
    // Two instances: two separate pools on the same database, as two servers would have.
    const other = await connect({ databaseUrl: db.url, poolMax: 4 });
    let runs = 0;
    const job = {
      name: 'count',
      everyMs: 60_000,
      run: async () => {
        runs++;
        await new Promise((r) => setTimeout(r, 100));
      },
    };
    const a = createScheduler({ db, jobs: [job], logger, instance: 'a' });
    const b = createScheduler({ db: other, jobs: [job], logger, instance: 'b' });
    const now = new Date();
    const [ranA, ranB] = await Promise.all([a.tick(now), b.tick(now)]);
    expect(runs).toBe(1);
    expect([...ranA, ...ranB]).toEqual(['count']);
    // Later in the same slot: nobody runs it again.
    await Promise.all([a.tick(new Date(now.getTime() + 1000)), b.tick(new Date(now.getTime() + 1000))]);
    expect(runs).toBe(1);
    // Next slot: exactly one of them runs it.
    const later = new Date(now.getTime() + 61_000);
    await Promise.all([a.tick(later), b.tick(later)]);
    expect(runs).toBe(2);
    const row = await db.knex('job_runs').where({ name: 'count' }).first();
    expect(row.runs).toBe(2);
    expect(row.last_error).toBeNull();
    await other.close();
  });

  it('records a failing job and goes on with the next one', async () => {
    const done: string[] = [];
    const s = createScheduler({
      db, logger,
      jobs: [
        { name: 'broken', everyMs: 1000, run: async () => { throw new Error('channel down'); } },
        { name: 'fine', everyMs: 1000, run: async () => { done.push('fine'); } },
      ],
    });
    expect(await s.tick()).toEqual(['broken', 'fine']);
    expect(done).toEqual(['fine']);
    expect((await db.knex('job_runs').where({ name: 'broken' }).first()).last_error).toBe('channel down');
  });
});
