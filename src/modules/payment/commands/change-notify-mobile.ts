// 非税通知 手机 修改 (图12): the profile's mobile changes (the profile module's change, with its
// audit entry) and so does the notify number of the person's unpaid orders, in one transaction.
import { changeMobile } from '../../profile/change-mobile';
import { ownOrder, type PaymentDeps } from '../context';
import { setLiveOrdersNotifyMobile } from '../orders-repo';

export async function changeNotifyMobile(
  deps: PaymentDeps, input: { user: { accountId: number; personId: number }; orderNo: string; mobile: string; ip: string },
): Promise<void> {
  const { user, mobile } = input;
  await ownOrder(deps, user.personId, input.orderNo);
  await deps.db.transaction(async (trx) => {
    await changeMobile(trx, deps, { accountId: user.accountId, personId: user.personId, mobile, ip: input.ip, via: 'pay' });
    await setLiveOrdersNotifyMobile(trx, user.personId, mobile);
  });
}
