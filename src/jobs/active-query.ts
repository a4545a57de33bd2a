// The janitor (Kill Bill's, Jeepay's reissue task): an order still 支付中 some minutes after it
// went to its channel is asked about there, and settled from the channel's signed answer —
// credited when paid, closed when the channel closed it. Lost notifications end here instead of
// waiting for the payer to come back or for tomorrow's statement. Asking and crediting is the
// payer's return's own (payment/commands/query-and-credit.ts).
import { ChannelError } from '../gateways/types';
import type { GatewayRegistry } from '../gateways/registry';
import type { Logger } from '../logger';
import type { PaymentRepo } from '../modules/payment/repo';
import type { PaymentService } from '../modules/payment/service';
import type { StaleOrders } from '../modules/reconcile/attempts-repo';

export interface ActiveQueryDeps {
  payment: Pick<PaymentService, 'queryAndCredit' | 'settleExpiredAttempt'>;
  paymentRepo: Pick<PaymentRepo, 'orderById' | 'attemptsOf'>;
  reconcileRepo: StaleOrders;
  /** Unused since the payment service asks the channels; kept for the jobs' wiring. */
  registry?: GatewayRegistry;
  afterMinutes: number;
  logger?: Logger;
  now?: () => Date;
}

export interface ActiveQueryResult {
  asked: number;
  credited: number;
  closed: number;
  unanswered: number;
}

export async function runActiveQuery(deps: ActiveQueryDeps): Promise<ActiveQueryResult> {
  const now = deps.now?.() ?? new Date();
  const result: ActiveQueryResult = { asked: 0, credited: 0, closed: 0, unanswered: 0 };
  const cutoff = new Date(now.getTime() - deps.afterMinutes * 60_000);
  for (const id of await deps.reconcileRepo.stalePayingOrders(cutoff)) {
    const order = await deps.paymentRepo.orderById(id);
    if (!order || order.status !== 'paying') continue;
    for (const a of await deps.paymentRepo.attemptsOf(order.id)) {
      const q = await deps.payment.queryAndCredit(order, a);
      if (q.status === 'skipped') continue;
      result.asked++;
      if (q.status === 'unanswered') result.unanswered++;
      else if (q.status === 'paid') {
        if (q.outcome === 'credited' || q.outcome === 'double-paid') result.credited++;
      } else if (q.status === 'closed') {
        // Asks the channel once more: a payment that lands meanwhile is credited, not lost. Only
        // this attempt is settled; its order closes with it unless another attempt is still live
        // (the payer moved to another channel while this page lapsed).
        try {
          const r = await deps.payment.settleExpiredAttempt(a.id, order.id, now);
          if (r === 'closed') result.closed++;
          if (r === 'paid') result.credited++;
        } catch (e) {
          if (!(e instanceof ChannelError)) throw e;
          result.unanswered++;
          deps.logger?.warn({ orderNo: order.orderNo, channel: a.channel, err: e.message }, 'active query unanswered');
        }
      }
    }
  }
  return result;
}
