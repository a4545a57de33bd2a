// Where each of the wizard's forms leaves the payer when it was posted into a timed-out session:
// the step the login page explains (AUTH_MESSAGES.timedOutSteps) and where signing in leads.
// Before an order exists the selection is gone with the session, so the way back is the start
// (应交款明细表); once it exists, its own page, where it can still be paid.
import { ORDER_NO_PATTERN } from '../../domain/order-number';

const ORDER_FORM = new RegExp(`^/pay/orders/(${ORDER_NO_PATTERN.source.slice(1, -1)})/(submit|cancel|mobile)$`);

export function wizardPlace(path: string): { step: string; next: string } | null {
  if (path === '/pay/items') return { step: 'items', next: '/pay' };
  if (path === '/pay/orders') return { step: 'review', next: '/pay' };
  const m = ORDER_FORM.exec(path);
  return m ? { step: m[2]!, next: `/pay/orders/${m[1]}` } : null;
}
