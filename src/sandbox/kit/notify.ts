// A payment's notification through the shared control (../control.ts): the reorder fault holds
// it until the merchant's close (or, where the channel has no close, its closing query), every
// other fault (hold, lose, delay, duplicate, tamper, wrong_amount, wrong_merchant) is applied by
// control.deliver itself on each attempt.
import type { SandboxChannel, SandboxControl } from '../control';
import type { SimTrade } from './trades';

/** Just paid: notifies now, or holds the notification for the reorder fault. */
export function notifyPaid(control: SandboxControl, channel: SandboxChannel, t: SimTrade, notify: (t: SimTrade) => void) {
  if (control.take(channel, ['reorder'])) t.heldForClose = true;
  else notify(t);
}

/**
 * The merchant closes (or asks, closing): a held payment is released now, and true — the
 * channel then answers as if unpaid/closed, and the notification overtakes that answer.
 */
export function releaseHeld(t: SimTrade, notify: (t: SimTrade) => void): boolean {
  if (!t.heldForClose) return false;
  t.heldForClose = false;
  // After the answer has gone: the close overtakes the payment, not the other way round.
  setImmediate(() => notify(t));
  return true;
}

/** A trade as a query shows it while its payment is held: not paid (yet). */
export const asUnpaid = <T extends SimTrade>(t: T): T => ({ ...t, status: 'UNPAID', tradeNo: undefined, paidAt: undefined });
