// What the QR and waiting pages ask every few seconds (public/js/pay-wait.js): has the order been
// paid? Read from our own rows only — the notification, the active query or 我已完成支付's query
// credit it — so that polling never calls a channel and costs one indexed read.
import { isSettled, unpaidEnd } from '../../../domain/order-state';
import { ownOrder, type PaymentDeps } from '../context';

/** paid: on to 支付成功; expired / closed: on to the page that says why; waiting: ask again. */
export type Progress = 'paid' | 'waiting' | 'expired' | 'closed';

export async function progressOf(deps: Pick<PaymentDeps, 'db'>, input: { personId: number; orderNo: string; now: Date }): Promise<Progress> {
  const order = await ownOrder(deps, input.personId, input.orderNo);
  if (isSettled(order.status)) return 'paid';
  return unpaidEnd(order, input.now) ?? 'waiting';
}
