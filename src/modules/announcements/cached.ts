// 系统公告 as every login and 首页 reads them: the list in force, kept for a few seconds in each
// instance instead of one query per page (on registration day those pages are what everyone
// reloads). Finance's save on this instance drops it at once; another instance sees a change
// within TTL_MS, and a window's start or end shows up as late.
import type { Announcement, AnnouncementRepo } from './repo';

const TTL_MS = 5_000;

export interface PublishedAnnouncements {
  published(now: Date): Promise<Announcement[]>;
  /** After a write: the next read goes to the database. */
  invalidate(): void;
}

export function cachedAnnouncements(repo: AnnouncementRepo, ttlMs = TTL_MS): PublishedAnnouncements {
  let kept: { until: number; list: Promise<Announcement[]> } | null = null;
  return {
    published(now) {
      const t = Date.now();
      if (kept && kept.until > t) return kept.list;
      const list = repo.published(now);
      const entry = { until: t + ttlMs, list };
      kept = entry;
      // A failed read is not kept: the next page asks again.
      list.catch(() => {
        if (kept === entry) kept = null;
      });
      return list;
    },
    invalidate() {
      kept = null;
    },
  };
}
