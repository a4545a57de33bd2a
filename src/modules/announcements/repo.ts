import type { Knex } from 'knex';

export interface Announcement {
  id: number;
  title: string;
  body: string;
  publishFrom: Date | null;
}

export function announcementRepo(db: Knex) {
  return {
    /** 系统公告 in force now: published, inside its window, newest first. */
    async published(now: Date, limit = 5): Promise<Announcement[]> {
      return db('announcements')
        .where('status', 'published')
        .andWhere((q) => q.whereNull('publish_from').orWhere('publish_from', '<=', now))
        .andWhere((q) => q.whereNull('publish_until').orWhere('publish_until', '>', now))
        .orderBy([{ column: 'publish_from', order: 'desc', nulls: 'last' }, { column: 'id', order: 'desc' }])
        .limit(limit)
        .select('id', 'title', 'body', 'publish_from as publishFrom')
        // Every 首页 and login page reads this (src/db/prepared.ts).
        .options({ prepare: true });
    },
  };
}

export type AnnouncementRepo = ReturnType<typeof announcementRepo>;
