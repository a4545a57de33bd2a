// 银行支付结果 (图15/图16): back from the channel, the notification may not have arrived yet, so
// an order still paying is asked about at its channel (a signed answer) and credited.
import { attemptsOf } from '../attempts-repo';
import { ownOrder, type PaymentDeps } from '../context';
import { orderById, type OrderRow } from '../orders-repo';
import { queryAndCredit } from './query-and-credit';

/** Returns the order as it is once its channels were asked. */
export async function settleOnReturn(deps: PaymentDeps, input: { personId: number; orderNo: string }): Promise<OrderRow> {
  const order = await ownOrder(deps, input.personId, input.orderNo);
  if (order.status !== 'paying') return order;
  for (const attempt of await attemptsOf(deps.db, order.id)) await queryAndCredit(deps, { order, attempt });
  return (await orderById(deps.db, order.id))!;
}
