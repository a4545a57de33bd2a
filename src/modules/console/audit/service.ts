// 审计日志 viewer: who (actor 编号), what (action prefix), when (day range), whom (target 编号).
import type { Knex } from 'knex';
import { paginate } from '../../../domain/pagination';
import { auditActions, auditEntries, type AuditQuery, countAuditEntries } from './repo';

export interface AuditFilter extends AuditQuery {
  page: number;
}

export const AUDIT_PAGE_SIZE = 30;

export function auditViewer(deps: { db: Knex }) {
  const { db } = deps;
  return {
    async list(f: AuditFilter) {
      const page = paginate(await countAuditEntries(db, f), f.page, AUDIT_PAGE_SIZE);
      const rows = await auditEntries(db, f, page.size, page.offset);
      return { rows, page, actions: await auditActions(db) };
    },
  };
}

export type AuditViewer = ReturnType<typeof auditViewer>;
