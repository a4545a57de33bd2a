// The bills read in the session's own statement (src/http/page-reads.ts) for the pages that start
// from them: 当前费用 (with the deferrals expired lately, which it tells of), 首页 (windows not yet
// ended) and 学费缴费 (all, as payableBills reads them). Each is the repo's own billsSql on the
// session's person at the request's instant, aggregated in its order into one json value.
import { EXPIRED_NOTICE_DAYS } from '../../domain/deferral';
import type { PageReadOf } from '../../http/page-reads';
import { billsSql, type BillRow, type BillsWithDeferrals, toBillsWithDeferrals } from './repo';

const asJson = (bills: string) =>
  `SELECT json_agg(q ORDER BY q."periodSort" DESC, q."itemSort", q."billId") FROM (${bills}) q`;

const parse = (value: unknown): BillsWithDeferrals => toBillsWithDeferrals((value ?? []) as BillRow[]);

export const currentFeesRead: PageReadOf<BillsWithDeferrals> = {
  key: 'fees',
  sql: ({ person, now }) => asJson(billsSql({ person, hideEndedBefore: 'NULL::timestamptz', expiredSince: `${now} - interval '${EXPIRED_NOTICE_DAYS * 24} hours'` })),
  parse,
};

export const openArrearsRead: PageReadOf<BillsWithDeferrals> = {
  key: 'home',
  sql: ({ person, now }) => asJson(billsSql({ person, hideEndedBefore: now, expiredSince: 'NULL::timestamptz' })),
  parse,
};

export const payableBillsRead: PageReadOf<BillsWithDeferrals> = {
  key: 'pay',
  sql: ({ person }) => asJson(billsSql({ person, hideEndedBefore: 'NULL::timestamptz', expiredSince: 'NULL::timestamptz' })),
  parse,
};
