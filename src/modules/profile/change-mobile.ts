// The profile's mobile number changed from elsewhere than 个人信息修改: 非税通知 手机 修改 on
// 缴费信息确认及支付方式选择 (图12). Runs inside the caller's transaction, with its audit entry, so
// that what the caller changes with it (its orders' notify number) commits or rolls back together.
import type { Knex } from 'knex';
import type { AuditRepo } from '../audit/repo';
import { setContact } from './repo';

export async function changeMobile(
  trx: Knex.Transaction,
  deps: { audit: Pick<AuditRepo, 'record'> },
  input: { accountId: number; personId: number; mobile: string; ip: string; /** where the change was made, for the audit */ via: string },
): Promise<void> {
  await setContact(trx, input.personId, { mobile: input.mobile });
  await deps.audit.record({
    actorAccountId: input.accountId, action: 'profile.mobile', targetPersonId: input.personId, detail: { field: 'mobile', via: input.via }, ip: input.ip,
  }, trx);
}
