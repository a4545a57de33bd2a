// 一键退款 of an overpayment flag: the money in excess goes back the way it came, once (the
// flag's compare-and-set), safe to press twice. A bill flag is refunded exactly as finance would
// refund the bill (./refund-bill.ts), through the flagged order; a second payment through its
// own attempt (./refund-second-payment.ts).
import { AppError, isAppError } from '../../../domain/app-error';
import type { RefundActor } from '../actor';
import type { RefundsDeps } from '../deps';
import { M } from '../messages';
import { listOverpayments, moveOverpayment } from '../overpayments-repo';
import { refundBill } from './refund-bill';
import { FlagMovedError, refundSecondPayment } from './refund-second-payment';

export interface OverpaymentRefunded {
  refundNo: string;
  /** 'refunding': the channel is processing it (or did not answer clearly): the refund query settles it. */
  status: 'refunded' | 'refunding';
}

export async function refundOverpayment(deps: RefundsDeps, actor: RefundActor, id: string): Promise<OverpaymentRefunded> {
  const { db } = deps;
  const [op] = await listOverpayments(db, { id });
  if (!op) throw new AppError('not_found', M.flagNotFound);
  // A flag tried again after 'failed' drops its old refund number: the settling job must not
  // ask about (nor resend) the refused refund while the new one is being made.
  if (!(await moveOverpayment(db, id, ['open', 'failed'], 'refunding', { refundNo: null }))) throw new AppError('conflict', M.flagBusy(op.status));
  let done: OverpaymentRefunded;
  try {
    if (op.kind === 'attempt') done = await refundSecondPayment(deps, op);
    else {
      // Back through the payment that was in excess (the flagged order), not whichever order
      // of the bill was paid last: two channels may have been paid within seconds.
      const r = await refundBill(deps, actor, null, {
        personId: op.personId, billId: op.billId!, amount: op.amount, mode: 'channel', reason: `重复缴费退款（订单 ${op.orderNo}）`, orderId: op.orderId, overpaymentId: op.id,
      });
      done = { status: r.status === 'succeeded' ? 'refunded' : 'refunding', refundNo: r.refundNo };
    }
  } catch (e) {
    if (e instanceof FlagMovedError) throw e;
    // Only a refusal (an AppError other than 'uncertain': refused before sending, or the channel's
    // own no) frees the flag for another try. A channel that did not answer may still have
    // refunded, and so may one that answered before a fault here (the database failing while the
    // success was written): once the flag holds its refund number the request may have gone, so
    // it stays 'refunding' for the refund query to settle, rather than inviting a second refund.
    const kept = isAppError(e) ? e.code === 'uncertain' : (await listOverpayments(db, { id }))[0]?.refundNo != null;
    await moveOverpayment(db, id, ['refunding'], kept ? 'refunding' : 'failed', { note: String((e as Error).message ?? e) });
    throw e;
  }
  await moveOverpayment(db, id, ['refunding'], done.status, { refundNo: done.refundNo });
  return done;
}

export type OverpaymentRefundOutcome = ({ ok: true } & OverpaymentRefunded) | { ok: false; message: string };

/**
 * The outcome of a refund as data, for a caller that records it whichever it was (the overpayment
 * job's audit row): a refusal becomes `{ ok: false, message }`; a fault is still thrown.
 */
export async function outcomeOf(refund: Promise<OverpaymentRefunded>): Promise<OverpaymentRefundOutcome> {
  try {
    return { ok: true, ...(await refund) };
  } catch (e) {
    if (isAppError(e)) return { ok: false, message: e.message };
    throw e;
  }
}
