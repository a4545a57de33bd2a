// 工作台: money collected between two business days, per channel and per fee item. Receipts are
// the record of money received (online through orders, counter payments directly), so both views
// add up to the same total; refunds are shown beside them, not netted silently.
import type { Knex } from 'knex';
import { count, dec } from '../../../db/rows';
import { type Scope, scoped } from '../context';

export function dashboardRepo(db: Knex) {
  return {
    async byChannel(scope: Scope, fromDay: string, toDay: string) {
      const rows = await scoped(
        db('receipts as r').join('people as p', 'p.id', 'r.person_id').leftJoin('orders as o', 'o.id', 'r.order_id'),
        scope,
      )
        .whereBetween('r.receipt_date', [fromDay, toDay])
        .groupByRaw(`1`)
        .orderByRaw('2 DESC')
        .select(db.raw(`CASE WHEN r.method = 'online' THEN COALESCE(o.channel, 'online') ELSE r.method END AS channel, sum(r.total) AS amount, count(*) AS n`));
      return rows.map((r: any) => ({ channel: r.channel as string, amount: dec(r.amount), count: count(r.n) }));
    },

    async byItem(scope: Scope, fromDay: string, toDay: string) {
      const rows = await scoped(
        db('receipt_lines as rl').join('receipts as r', 'r.id', 'rl.receipt_id').join('bills as b', 'b.id', 'rl.bill_id')
          .join('fee_items as fi', 'fi.id', 'b.fee_item_id').join('people as p', 'p.id', 'r.person_id'),
        scope,
      )
        .whereBetween('r.receipt_date', [fromDay, toDay])
        .groupBy('fi.id', 'fi.name')
        .orderByRaw('sum(rl.amount) DESC')
        .select('fi.name as item', db.raw('sum(rl.amount) AS amount'), db.raw('count(*) AS n'));
      return rows.map((r: any) => ({ item: r.item as string, amount: dec(r.amount), count: count(r.n) }));
    },

    async refunds(scope: Scope, from: Date, to: Date) {
      const [row] = await scoped(db('refunds as f').join('bills as b', 'b.id', 'f.bill_id').join('people as p', 'p.id', 'b.person_id'), scope)
        .where('f.status', 'succeeded').where('f.created_at', '>=', from).where('f.created_at', '<', to)
        .select(db.raw('COALESCE(sum(f.amount), 0) AS amount, count(*) AS n'));
      return { amount: dec(row.amount), count: count(row.n) };
    },
  };
}

export type DashboardRepo = ReturnType<typeof dashboardRepo>;
