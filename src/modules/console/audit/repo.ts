// SQL of the 审计日志 viewer: entries by actor 编号, action prefix, day range and target 编号.
import type { Knex } from 'knex';
import { startOfBusinessDay } from '../../../domain/business-date';
import { escapeLike } from '../people/repo';

export interface AuditQuery {
  actor?: string | undefined;
  action?: string | undefined;
  target?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

function filtered(trx: Knex, f: AuditQuery) {
  const q = trx('audit_log as l')
    .leftJoin('accounts as a', 'a.id', 'l.actor_account_id').leftJoin('people as ap', 'ap.id', 'a.person_id')
    .leftJoin('people as tp', 'tp.id', 'l.target_person_id');
  if (f.actor) q.where('ap.number', f.actor);
  if (f.target) q.where('tp.number', f.target);
  if (f.action) q.where('l.action', 'like', `${escapeLike(f.action)}%`);
  if (f.from) q.where('l.created_at', '>=', startOfBusinessDay(f.from));
  if (f.to) q.where('l.created_at', '<', new Date(startOfBusinessDay(f.to).getTime() + 86_400_000));
  return q;
}

export async function countAuditEntries(trx: Knex, f: AuditQuery): Promise<number> {
  const [row] = await filtered(trx, f).count({ n: '*' });
  return Number(row?.n ?? 0);
}

/** Newest first, with the actor's and the target's number and name. */
export function auditEntries(trx: Knex, f: AuditQuery, limit: number, offset: number) {
  return filtered(trx, f).orderBy('l.id', 'desc').limit(limit).offset(offset)
    .select('l.id', 'l.created_at as at', 'l.action', 'l.detail', 'l.ip', 'ap.number as actorNumber', 'ap.name as actorName', 'tp.id as targetId', 'tp.number as targetNumber', 'tp.name as targetName');
}

/** Every action name recorded so far, for the filter's list. */
export async function auditActions(trx: Knex): Promise<string[]> {
  return (await trx('audit_log').distinct('action').orderBy('action')).map((r) => r.action as string);
}
