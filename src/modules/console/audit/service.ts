// 审计日志 viewer: who (actor 编号), what (action prefix), when (day range), whom (target 编号).
import type { Knex } from 'knex';
import { startOfBusinessDay } from '../../../domain/business-date';
import { paginate } from '../../../domain/pagination';
import { escapeLike } from '../people/repo';

export interface AuditFilter {
  actor?: string | undefined;
  action?: string | undefined;
  target?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  page: number;
}

export const AUDIT_PAGE_SIZE = 30;

export function auditViewer(deps: { db: Knex }) {
  const { db } = deps;
  const base = (f: AuditFilter) => {
    const q = db('audit_log as l')
      .leftJoin('accounts as a', 'a.id', 'l.actor_account_id').leftJoin('people as ap', 'ap.id', 'a.person_id')
      .leftJoin('people as tp', 'tp.id', 'l.target_person_id');
    if (f.actor) q.where('ap.number', f.actor);
    if (f.target) q.where('tp.number', f.target);
    if (f.action) q.where('l.action', 'like', `${escapeLike(f.action)}%`);
    if (f.from) q.where('l.created_at', '>=', startOfBusinessDay(f.from));
    if (f.to) q.where('l.created_at', '<', new Date(startOfBusinessDay(f.to).getTime() + 86_400_000));
    return q;
  };
  return {
    async list(f: AuditFilter) {
      const [row] = await base(f).count({ n: '*' });
      const n = row?.n ?? 0;
      const page = paginate(Number(n), f.page, AUDIT_PAGE_SIZE);
      const rows = await base(f).orderBy('l.id', 'desc').limit(page.size).offset(page.offset)
        .select('l.id', 'l.created_at as at', 'l.action', 'l.detail', 'l.ip', 'ap.number as actorNumber', 'ap.name as actorName', 'tp.id as targetId', 'tp.number as targetNumber', 'tp.name as targetName');
      const actions = (await db('audit_log').distinct('action').orderBy('action')).map((r) => r.action as string);
      return { rows, page, actions };
    },
  };
}

export type AuditViewer = ReturnType<typeof auditViewer>;
