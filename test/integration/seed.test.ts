import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/bootstrap';
import { DEMO, seedDemo } from '../../seeds/demo';
import { testConfig } from '../helpers/app';
import { testDatabase } from '../helpers/test-db';

const db = await testDatabase({ demo: true });
const k = db.knex;

describe('demo data', () => {
  it('has 图3’s 张三 with his three unpaid 2019年度 bills', async () => {
    const zs = await k('people as p').leftJoin('colleges as c', 'c.id', 'p.college_id').leftJoin('classes as k', 'k.id', 'p.class_id')
      .where('p.number', DEMO.student.number).first('p.*', 'c.name as college', 'k.name as klass');
    expect(zs).toMatchObject({ name: '张三', gender: '男', id_number: '340100198501011234', college: '计算机学院', klass: '18级', mobile: '17000000000' });
    const bills = await k('bills as b').join('fee_items as i', 'i.id', 'b.fee_item_id').join('fee_periods as p', 'p.id', 'b.period_id')
      .where('b.person_id', zs.id).orderBy('i.sort_order').select('p.name as period', 'i.name', 'i.category', 'i.fee_type', 'b.due', 'b.paid');
    expect(bills).toEqual([
      { period: '2019年度', name: '医疗保险', category: '代收', fee_type: '学费', due: '250.00', paid: '0.00' },
      { period: '2019年度', name: '住宿费', category: '财政', fee_type: '学费', due: '1100.00', paid: '0.00' },
      { period: '2019年度', name: '学费', category: '财政', fee_type: '学费', due: '8000.00', paid: '0.00' },
    ]);
  });

  it('has 300+ students in 5+ colleges and classes, bills in every state, staff and finance accounts', async () => {
    const { rows: [s0] } = await k.raw(`SELECT count(*)::int AS n, count(DISTINCT college_id)::int AS c, count(DISTINCT class_id)::int AS k FROM people WHERE kind = 'student'`);
    expect(s0.n).toBeGreaterThan(300);
    expect(s0.c).toBeGreaterThanOrEqual(5);
    expect(s0.k).toBeGreaterThan(5);
    const { rows: [s] } = await k.raw(`
      SELECT count(*) FILTER (WHERE b.paid = 0) AS unpaid,
             count(*) FILTER (WHERE b.paid > 0 AND b.paid < b.due - b.reduction) AS partly,
             count(*) FILTER (WHERE b.paid > 0 AND b.paid = b.due - b.reduction) AS paid,
             count(*) FILTER (WHERE b.reduction > 0) AS reduced,
             count(*) FILTER (WHERE i.status = '停止') AS stopped,
             count(*) FILTER (WHERE i.ends_at < now()) AS expired,
             count(*) FILTER (WHERE i.fee_type = '其他费用' AND i.ends_at > now()) AS windowed
      FROM bills b JOIN fee_items i ON i.id = b.fee_item_id`);
    for (const key of ['unpaid', 'partly', 'paid', 'reduced', 'stopped', 'expired', 'windowed']) expect(Number(s[key]), key).toBeGreaterThan(0);
    const roles = await k('accounts').distinct('role').pluck('role');
    expect(roles).toEqual(expect.arrayContaining(['student', 'dept_staff', 'finance_admin', 'external']));
  });

  it('backs every bill total with ledger entries and every payment with a receipt', async () => {
    const { rows } = await k.raw(`
      SELECT count(*) AS bad FROM bills b LEFT JOIN LATERAL (
        SELECT coalesce(sum(amount) FILTER (WHERE kind IN ('charge','adjustment')),0) AS due,
               coalesce(sum(amount) FILTER (WHERE kind='reduction'),0) AS reduction,
               coalesce(sum(amount) FILTER (WHERE kind='payment'),0) AS paid,
               coalesce(sum(amount) FILTER (WHERE kind='refund'),0) AS refunded
        FROM bill_ledger l WHERE l.bill_id = b.id) l ON true
      WHERE (b.due, b.reduction, b.paid, b.refunded) <> (l.due, l.reduction, l.paid, l.refunded)`);
    expect(Number(rows[0].bad)).toBe(0);
    const { rows: r2 } = await k.raw(`SELECT count(*) AS bad FROM bills b WHERE b.paid <> (SELECT coalesce(sum(amount),0) FROM receipt_lines WHERE bill_id = b.id)`);
    expect(Number(r2[0].bad)).toBe(0);
  });

  it('changes nothing when run twice', async () => {
    const before = await k('bills').count({ n: '*' });
    await seedDemo(k);
    expect(await k('bills').count({ n: '*' })).toEqual(before);
  });

  it('is never put into a DATABASE_URL database unless asked', async () => {
    const empty = await testDatabase();
    const opened = await openDatabase(testConfig(empty));
    expect(Number((await opened.knex('people').count({ n: '*' }))[0]!.n)).toBe(0);
    await opened.close();
    const asked = await openDatabase(testConfig(empty, { SEED_DEMO: '1' }));
    expect(Number((await asked.knex('people').count({ n: '*' }))[0]!.n)).toBeGreaterThan(300);
    await asked.close();
  });
});
