import type { Knex } from 'knex';
import { sqlPart, type SqlPart } from '../../db/rows';

export interface AuditEntry {
  actorAccountId: number | null;
  action: string;
  targetPersonId?: number | null;
  /** Field names and safe values only: never a password, answer or full card number. */
  detail?: Record<string, unknown>;
  ip?: string;
}

const rowOf = (e: AuditEntry) => ({
  actor_account_id: e.actorAccountId,
  action: e.action,
  target_person_id: e.targetPersonId ?? null,
  detail: JSON.stringify(e.detail ?? {}),
  ip: e.ip ?? '',
});

export function auditRepo(db: Knex) {
  return {
    async record(e: AuditEntry, trx: Knex = db): Promise<void> {
      await trx('audit_log').insert(rowOf(e));
    },

    /** The INSERT of `record`, for another module to send in the statement of the change it records (a sign-in, src/modules/auth/service.ts). */
    recordSql: (e: AuditEntry): SqlPart => sqlPart(db('audit_log').insert(rowOf(e))),
  };
}

export type AuditRepo = ReturnType<typeof auditRepo>;
