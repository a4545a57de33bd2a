// Asking a channel about one attempt and crediting what it says was paid: the payer's return
// (./settle-on-return.ts) and the active query job (src/jobs/active-query.ts) both come here.
import type { QueryResult } from '../../../gateways/types';
import { ChannelError } from '../../../gateways/types';
import type { AttemptRow } from '../attempts-repo';
import { attemptView } from '../channel-view';
import type { PaymentDeps } from '../context';
import type { OrderRow } from '../orders-repo';
import { creditPayment, type CreditOutcome } from './credit-payment';

export type QueryAnswer =
  /** Not asked: the attempt was never sent, its channel order id is unknown, or its channel is gone. */
  | { status: 'skipped' }
  | { status: 'paid'; outcome: CreditOutcome }
  | { status: Exclude<QueryResult['status'], 'paid'> }
  /** The channel did not answer (ChannelError): nothing is known either way. */
  | { status: 'unanswered'; error: ChannelError };

export async function queryAndCredit(deps: PaymentDeps, input: { order: OrderRow; attempt: AttemptRow }): Promise<QueryAnswer> {
  const { order, attempt: a } = input;
  const adapter = deps.registry.get(a.channel);
  if (a.status !== 'sent' || !a.channelOrderId || !adapter) return { status: 'skipped' };
  try {
    // Asked with the attempt's own expiry: a short-lived bank page is "closed" once it lapsed.
    const q = await adapter.query(await attemptView(deps, order, a));
    if (q.status !== 'paid') return { status: q.status };
    return { status: 'paid', outcome: await creditPayment(deps, { channel: a.channel, event: q.event, record: { kind: 'query' } }) };
  } catch (e) {
    if (!(e instanceof ChannelError)) throw e;
    deps.logger?.warn({ orderNo: order.orderNo, channel: a.channel, err: e.message }, 'query at channel unanswered');
    return { status: 'unanswered', error: e };
  }
}
