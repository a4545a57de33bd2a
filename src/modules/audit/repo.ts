import type { Knex } from 'knex';

export interface AuditEntry {
  actorAccountId: number | null;
  action: string;
  targetPersonId?: number | null;
  /** Field names and safe values only: never a password, answer or full card number. */
  detail?: Record<string, unknown>;
  ip?: string;
}

export function auditRepo(db: Knex) {
  return {
    async record(e: AuditEntry, trx: Knex = db): Promise<void> {
      await trx('audit_log').insert({
        actor_account_id: e.actorAccountId,
        action: e.action,
        target_person_id: e.targetPersonId ?? null,
        detail: JSON.stringify(e.detail ?? {}),
        ip: e.ip ?? '',
      });
    },
  };
}

export type AuditRepo = ReturnType<typeof auditRepo>;
