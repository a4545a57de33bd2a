// SQL of the console's 系统公告 page (the published ones for the login and home pages are read by
// announcements/repo.ts).
import type { Knex } from 'knex';

export interface AnnouncementListRow {
  id: number;
  title: string;
  status: string;
  publishFrom: Date | null;
  publishUntil: Date | null;
  updatedAt: Date;
  author: string | null;
}

export async function countAnnouncements(trx: Knex): Promise<number> {
  const [row] = await trx('announcements').count({ n: '*' });
  return Number(row?.n ?? 0);
}

/** Newest first, with the author's name. */
export function announcementPage(trx: Knex, limit: number, offset: number): Promise<AnnouncementListRow[]> {
  return trx('announcements as an').leftJoin('accounts as a', 'a.id', 'an.author_account_id').leftJoin('people as p', 'p.id', 'a.person_id')
    .orderBy('an.id', 'desc').limit(limit).offset(offset)
    .select('an.id', 'an.title', 'an.status', 'an.publish_from as publishFrom', 'an.publish_until as publishUntil', 'an.updated_at as updatedAt', 'p.name as author');
}

export function announcementById(trx: Knex, id: number) {
  return trx('announcements').where({ id }).first('id', 'title', 'body', 'status', 'publish_from as publishFrom', 'publish_until as publishUntil');
}

/** Rows changed (0: no such announcement); updated_at is the transaction's time. */
export function updateAnnouncement(trx: Knex, id: number, row: Record<string, unknown>): Promise<number> {
  return trx('announcements').where({ id }).update({ ...row, updated_at: trx.fn.now() });
}

export async function insertAnnouncement(trx: Knex, row: Record<string, unknown>): Promise<number> {
  const [{ id }] = await trx('announcements').insert({ ...row, updated_at: trx.fn.now() }).returning('id');
  return id;
}
