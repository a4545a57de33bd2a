// 个人信息 actions. Each is one transaction with its audit entry; none takes another person's id:
// the account comes from the session, never from the form or the URL.
import bcrypt from 'bcrypt';
import type { Knex } from 'knex';
import { checkPassword } from '../../domain/password-policy';
import type { AuditRepo } from '../audit/repo';
import { verifyPassword } from '../auth/service';
import type { ProfileRepo } from './repo';

export const BCRYPT_COST = 10;

export type ActionResult = { ok: true } | { ok: false; errors: Record<string, string> };

export function profileService(deps: { db: Knex; repo: ProfileRepo; audit: AuditRepo }) {
  const { db, repo, audit } = deps;

  return {
    async changePassword(input: { accountId: number; current: string; next: string; sessionId: string; ip: string }): Promise<ActionResult> {
      const account = await repo.accountForPassword(input.accountId);
      if (!account) return { ok: false, errors: { current: '账户不存在' } };
      if (!(await verifyPassword(account, input.current))) return { ok: false, errors: { current: '原始密码不正确' } };
      const broken = checkPassword(input.next, { number: account.number, idNumber: account.idNumber, oldPassword: input.current });
      if (broken) return { ok: false, errors: { next: broken } };
      const hash = await bcrypt.hash(input.next, BCRYPT_COST);
      await db.transaction(async (trx) => {
        await repo.setPassword(trx, account.accountId, hash);
        const ended = await repo.endOtherSessions(trx, account.accountId, input.sessionId);
        await audit.record({ actorAccountId: account.accountId, action: 'password.change', targetPersonId: account.personId, detail: { field: 'password', otherSessionsEnded: ended }, ip: input.ip }, trx);
      });
      return { ok: true };
    },
  };
}

export type ProfileService = ReturnType<typeof profileService>;
