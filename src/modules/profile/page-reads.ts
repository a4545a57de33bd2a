// 个人信息 read in the session's own statement (src/http/page-reads.ts): the repo's profileSql on the
// session's account, as one json value, so GET /profile costs one round trip.
import type { PageReadOf } from '../../http/page-reads';
import { profileSql, type ProfileRow, toProfileRow } from './repo';

export const profileRead: PageReadOf<ProfileRow | undefined> = {
  key: 'profile',
  sql: ({ account }) => `SELECT to_json(q) FROM (${profileSql(account)}) q`,
  parse: (value) => toProfileRow(value as Record<string, unknown> | null),
};
