// 系统公告: drafts, publishing inside a window (publish_from … publish_until, either
// open) and withdrawal. The login and home pages read announcementRepo.published(now).
import type { Knex } from 'knex';
import type { z } from 'zod';
import { paginate } from '../../../domain/pagination';
import type { AuditRepo } from '../../audit/repo';
import { AppError } from '../../../domain/app-error';
import type { Actor } from '../context';
import { announcementById, announcementPage, countAnnouncements, insertAnnouncement, updateAnnouncement } from './repo';
import type { announcementForm } from './schemas';

type Form = z.infer<typeof announcementForm>;

export function consoleAnnouncementsService(deps: { db: Knex; audit: AuditRepo; onChange?: () => void }) {
  const { db, audit } = deps;
  return {
    async list(requestedPage: number) {
      const page = paginate(await countAnnouncements(db), requestedPage, 20);
      const rows = await announcementPage(db, page.size, page.offset);
      return { rows, page };
    },

    get: (id: number) => announcementById(db, id),

    /** Saves the text and window; 'publish' also puts it in force, 'withdraw' takes it down. */
    async save(actor: Actor, id: number | null, f: Form, action: 'save' | 'publish' | 'withdraw'): Promise<number> {
      return db.transaction(async (trx) => {
        const row: Record<string, unknown> = { title: f.title, body: f.body, publish_from: f.publish_from, publish_until: f.publish_until };
        if (action === 'publish') {
          if (f.publish_until && f.publish_until <= new Date()) throw new AppError('invalid', '发布结束时间已过，公告不会显示', 'publish_until');
          row.status = 'published';
          // Published without a start: in force from now, and the date shown is the publishing day.
          row.publish_from = f.publish_from ?? new Date();
        }
        if (action === 'withdraw') row.status = 'withdrawn';
        let annId = id;
        if (id) {
          if (!(await updateAnnouncement(trx, id, row))) throw new AppError('invalid', '公告不存在');
        } else {
          if (action === 'withdraw') throw new AppError('invalid', '公告尚未保存');
          annId = await insertAnnouncement(trx, { ...row, status: row.status ?? 'draft', author_account_id: actor.accountId });
        }
        await audit.record({ actorAccountId: actor.accountId, action: `announcement.${action}`, detail: { announcementId: annId, title: f.title }, ip: actor.ip }, trx);
        return annId!;
      }).finally(() => deps.onChange?.());
    },
  };
}

export type ConsoleAnnouncementsService = ReturnType<typeof consoleAnnouncementsService>;
