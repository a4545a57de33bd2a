// 学费缴费's list read in the session's own statement (src/http/page-reads.ts): the person's bills
// as the fees module reads them for payment (src/modules/fees/page-reads.ts payableBillsRead) and
// their live orders with lines (./orders-repo.ts liveOrdersJsonSql), one json value, so GET /pay
// costs one round trip. An order found past its time is still closed before the page is drawn
// (read/wizard.ts liveOrdersShown), as when the orders are read on their own.
import { jsonColumn } from '../../db/rows';
import type { PageReadOf } from '../../http/page-reads';
import { payableBillsRead } from '../fees/page-reads';
import type { BillsWithDeferrals } from '../fees/repo';
import { liveOrdersJsonSql, liveOrdersOfJson, type LiveOrdersRead } from './orders-repo';

export interface TuitionListRead {
  bills: BillsWithDeferrals;
  live: LiveOrdersRead;
}

export const tuitionListRead: PageReadOf<TuitionListRead> = {
  key: 'pay',
  sql: (of) => `SELECT json_build_object('bills', (${payableBillsRead.sql(of)}), 'live', (${liveOrdersJsonSql(of.person)}))`,
  parse: (value) => {
    const v = jsonColumn<{ bills?: unknown; live?: unknown }>(value, {});
    return { bills: payableBillsRead.parse(v.bills ?? null), live: liveOrdersOfJson(v.live ?? null) };
  },
};
