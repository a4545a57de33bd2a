// 账户管理 (finance only): reset to the initial password, lift the login limits after failed logins, disable and
// re-enable. Each takes a reason and leaves an audit entry in the same transaction as the change.
import type { Knex } from 'knex';
import type { AuditRepo } from '../../audit/repo';
import type { Throttle } from '../../auth/throttle';
import { AppError } from '../../../domain/app-error';
import type { Actor } from '../context';
import { accountForUpdate, endSessionsOf, resetToInitialPassword, setAccountStatus } from './repo';

export type AccountAction = 'reset' | 'unlock' | 'disable' | 'enable';

export function accountsService(deps: { db: Knex; audit: AuditRepo; loginThrottle: Throttle }) {
  const { db, audit, loginThrottle } = deps;

  const load = async (trx: Knex, personId: number) => {
    const row = await accountForUpdate(trx, personId);
    if (!row) throw new AppError('invalid', '该人员没有登录账户');
    return row;
  };

  return {
    async act(actor: Actor, personId: number, action: AccountAction, reason: string): Promise<void> {
      await db.transaction(async (trx) => {
        const acct = await load(trx, personId);
        if (action === 'reset') {
          // The initial password is derived (last 8 of the ID number, or the name for an external
          // payer), so resetting means forgetting the chosen hash.
          if (acct.kind !== 'external' && !acct.idNumber) throw new AppError('invalid', '该人员没有身份证号，无法重置为初始密码');
          await resetToInitialPassword(trx, acct.accountId);
          // Whoever was signed in with the old password is signed out too.
          await endSessionsOf(trx, acct.accountId);
        } else if (action === 'disable') {
          if (acct.accountId === actor.accountId) throw new AppError('invalid', '不能停用自己的账户');
          if (acct.status === 'disabled') throw new AppError('invalid', '该账户已是停用状态');
          await setAccountStatus(trx, acct.accountId, 'disabled');
        } else if (action === 'enable') {
          if (acct.status === 'active') throw new AppError('invalid', '该账户已是启用状态');
          await setAccountStatus(trx, acct.accountId, 'active');
        }
        await audit.record({ actorAccountId: actor.accountId, action: `account.${action}`, targetPersonId: personId, detail: { reason }, ip: actor.ip }, trx);
        // After a reset the person must be able to sign in at once, without 验证码 or delay; the key is the one login uses.
        if (action === 'reset' || action === 'unlock') await loginThrottle.clear(`a${acct.accountId}`);
      });
    },
  };
}

export type AccountsService = ReturnType<typeof accountsService>;
