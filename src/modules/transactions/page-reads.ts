// 银行交易记录's first page read in the session's own statement (src/http/page-reads.ts): the repo's
// bankPageSql on the session's person, from the top, as one json value. Another page (?page=2 …)
// is read as before: the session's statement cannot know the page asked for.
import type { PageReadOf } from '../../http/page-reads';
import { bankPageSql, type BankPage, toBankPage } from './repo';
import { BANK_PAGE_SIZE } from './service';

export const bankFirstPageRead: PageReadOf<BankPage> = {
  key: 'bank',
  sql: ({ person }) => `SELECT to_json(q) FROM (${bankPageSql({ person, offset: '0', limit: String(BANK_PAGE_SIZE) })}) q`,
  parse: (value) => toBankPage(value as { total: number; rows: unknown; refunds: unknown }),
};
