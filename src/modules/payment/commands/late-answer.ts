// A channel answering a create call after its attempt had been closed here (取消 in another tab,
// the expiry job, another channel chosen, another order for the same bills sent): the channel's
// order id is recorded all the same, so that a payment of it is found, and the new channel order
// is closed at the channel instead of being shown to the payer. If the channel says it was paid
// already, the payment is credited.
import type { Decimal } from '../../../domain/money';
import { isSettled, LIVE } from '../../../domain/order-state';
import { ChannelError, type CreatedPayment } from '../../../gateways/types';
import { attemptById, attemptByChannelOrderId, isLiveAttempt, setChannelOrderId } from '../attempts-repo';
import { channelView } from '../channel-view';
import { isUniqueViolation, type PaymentDeps } from '../context';
import { recordEvent } from '../events-repo';
import { M } from '../messages';
import { orderById, type OrderRow } from '../orders-repo';
import { creditPayment } from './credit-payment';
import { refused, type SubmitResult } from './submit-result';

export async function closeLateAnswer(
  deps: PaymentDeps, input: { order: OrderRow; attemptId: string; channel: string; created: CreatedPayment; total: Decimal },
): Promise<SubmitResult> {
  const { db, registry } = deps;
  const { order, attemptId, channel, created, total } = input;
  const { orderNo } = order;
  const record = (outcome: string) => recordEvent(db, { channel, attemptId, orderNo, kind: 'create', verified: true, outcome, body: created.channelOrderId });
  const fresh = await attemptById(db, attemptId);
  if (fresh?.status === 'paid') return { kind: 'paid', orderNo };
  try {
    await setChannelOrderId(db, attemptId, created.channelOrderId);
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    // Another attempt holds this channel order id: the payment is findable through it. If that
    // one is still live, the channel order is its own (the same order number): left open.
    const holder = await attemptByChannelOrderId(db, channel, created.channelOrderId);
    if (holder?.status === 'paid') return { kind: 'paid', orderNo };
    if (holder && isLiveAttempt(holder)) {
      await record('late:shared');
      return { kind: 'action', action: created.action };
    }
  }
  try {
    // 'open' here means a page the channel would accept but that nobody was shown: a form never
    // posted, a QR never drawn. Recorded as such; a payment of it would still be credited.
    const view = await channelView(deps, order, { channel, channelOrderId: created.channelOrderId, total, expiresAt: fresh?.expiresAt ?? order.expiresAt });
    const r = await registry.get(channel)!.close(view);
    await record(`late:${r.status}`);
    if (r.status === 'paid') {
      await creditPayment(deps, { channel, event: r.event, record: { kind: 'close' } });
      return { kind: 'paid', orderNo };
    }
  } catch (e) {
    if (!(e instanceof ChannelError)) throw e;
    // Not shown to the payer, and findable if paid all the same; reconciliation has the rest.
    deps.logger?.warn({ orderNo, err: e.message }, 'close of a late channel order failed');
    await record('late:uncertain');
  }
  const latest = await orderById(db, order.id);
  if (latest && isSettled(latest.status)) return { kind: 'paid', orderNo };
  throw refused(latest && LIVE.includes(latest.status) ? M.attemptSuperseded : M.orderNotLive);
}
