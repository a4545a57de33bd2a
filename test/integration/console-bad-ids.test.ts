// Ids beyond PostgreSQL's int4 range in console URLs, query strings and forms: a message or a 404,
// never a 500 (review finding).
import { describe, expect, it } from 'vitest';
import { DEMO } from '../../seeds/demo';
import { testApp } from '../helpers/app';
import { Client } from '../helpers/client';
import { testDatabase } from '../helpers/test-db';

const db = await testDatabase({ demo: true });
const app = testApp(db);
const HUGE = '99999999999';

describe('console with out-of-range ids', () => {
  it('answers GETs with 404 or the page and a message', async () => {
    const c = new Client(app);
    await c.login(DEMO.finance.number, DEMO.finance.password);
    for (const path of [`/console/people/${HUGE}`, `/console/fees/items/${HUGE}`, `/console/reports?period=${HUGE}`, `/console/reports?college=${HUGE}&item=${HUGE}`]) {
      const res = await c.get(path);
      expect([200, 404], path).toContain(res.status);
    }
  });

  it('answers POSTs with 400 or 404 and writes nothing', async () => {
    const c = new Client(app);
    await c.login(DEMO.finance.number, DEMO.finance.password);
    const zs = (await db.knex('people').where({ number: DEMO.student.number }).first('id')).id as number;
    const ledger = await db.knex('bill_ledger').count({ n: '*' });
    await c.get(`/console/people/${zs}`);
    const posts: [string, Record<string, string>][] = [
      ['/console/fees/bill-run', { period: HUGE, item: HUGE, target: 'list', numbers: DEMO.student.number, amount: '1.00', reason: 'x' }],
      [`/console/people/${zs}/counter`, { [`amount_${HUGE}`]: '1.00', method: 'cash', reason: 'x' }],
      [`/console/people/${zs}/adjust`, { bill: HUGE, kind: 'reduction', amount: '1.00', reason: 'x' }],
      [`/console/people/${zs}/refund`, { bill: HUGE, amount: '1.00', mode: 'offline', reason: 'x' }],
      [`/console/people/${HUGE}/account`, { action: 'unlock', reason: 'x' }],
    ];
    for (const [path, body] of posts) {
      const res = await c.post(path, body);
      expect([400, 404], `${path} ${res.status}`).toContain(res.status);
    }
    expect(await db.knex('bill_ledger').count({ n: '*' })).toEqual(ledger);
  });
});
