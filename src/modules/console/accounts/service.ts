// 账户管理 (finance only): reset to the initial password, lift the login limits after failed logins, disable and
// re-enable. Each takes a reason and leaves an audit entry in the same transaction as the change.
import type { Knex } from 'knex';
import type { AuditRepo } from '../../audit/repo';
import type { Throttle } from '../../auth/throttle';
import { AppError } from '../../../domain/app-error';
import type { Actor } from '../context';

export type AccountAction = 'reset' | 'unlock' | 'disable' | 'enable';

export function accountsService(deps: { db: Knex; audit: AuditRepo; loginThrottle: Throttle }) {
  const { db, audit, loginThrottle } = deps;

  const load = async (trx: Knex, personId: number) => {
    const row = await trx('accounts as a').join('people as p', 'p.id', 'a.person_id').where('p.id', personId).forUpdate('a')
      .first('a.id as accountId', 'a.role', 'a.status', 'p.id_number as idNumber', 'p.kind', 'p.name');
    if (!row) throw new AppError('invalid', '该人员没有登录账户');
    return row as { accountId: number; role: string; status: string; idNumber: string | null; kind: string; name: string };
  };

  return {
    async act(actor: Actor, personId: number, action: AccountAction, reason: string): Promise<void> {
      await db.transaction(async (trx) => {
        const acct = await load(trx, personId);
        if (action === 'reset') {
          // The initial password is derived (last 8 of the ID number, or the name for an external
          // payer), so resetting means forgetting the chosen hash.
          if (acct.kind !== 'external' && !acct.idNumber) throw new AppError('invalid', '该人员没有身份证号，无法重置为初始密码');
          await trx('accounts').where('id', acct.accountId)
            .update({ password_hash: null, must_change_password: true, password_changed_at: null, updated_at: trx.fn.now() });
          // Whoever was signed in with the old password is signed out too.
          await trx('sessions').whereRaw(`(sess::jsonb ->> 'accountId')::int = ?`, [acct.accountId]).del();
        } else if (action === 'disable') {
          if (acct.accountId === actor.accountId) throw new AppError('invalid', '不能停用自己的账户');
          if (acct.status === 'disabled') throw new AppError('invalid', '该账户已是停用状态');
          await trx('accounts').where('id', acct.accountId).update({ status: 'disabled', updated_at: trx.fn.now() });
        } else if (action === 'enable') {
          if (acct.status === 'active') throw new AppError('invalid', '该账户已是启用状态');
          await trx('accounts').where('id', acct.accountId).update({ status: 'active', updated_at: trx.fn.now() });
        }
        await audit.record({ actorAccountId: actor.accountId, action: `account.${action}`, targetPersonId: personId, detail: { reason }, ip: actor.ip }, trx);
        // After a reset the person must be able to sign in at once, without 验证码 or delay; the key is the one login uses.
        if (action === 'reset' || action === 'unlock') await loginThrottle.clear(`a${acct.accountId}`);
      });
    },
  };
}

export type AccountsService = ReturnType<typeof accountsService>;
