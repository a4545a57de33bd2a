// 交费信息显示's 下一步: the order is fixed. An identical unpaid order is reused, not duplicated,
// and a person has at most MAX_LIVE_ORDERS live orders. Each refusal (the bills moved since the
// page was drawn, the cap, the day's serials spent) is an AppError 'conflict': the state of the
// person or of the day says no, and 交费信息显示 is shown again with the message.
// In the wizard (`live` given), another live order holding one of the same bills is not built
// beside silently: it is offered (继续支付 there), and only replaced — closed at its channel
// first — when the payer said so by naming it.
import type { Knex } from 'knex';
import { AppError } from '../../../domain/app-error';
import { businessDate } from '../../../domain/business-date';
import type { KeyedQueue } from '../../../domain/keyed-queue';
import { formatOrderNo } from '../../../domain/order-number';
import { validateSelection } from '../../../domain/payment-selection';
import { notPayableAmong, payableBills } from '../../fees/payable';
import { payerOf } from '../../profile/repo';
import type { PaymentDeps } from '../context';
import { M } from '../messages';
import { insertOrder, lockOrderBuilding, nextOrderSerial, type OrderRow } from '../orders-repo';
import { liveBeside, type LiveBeside, type LiveOrderOffer } from '../read/live-beside';
import { closeOrder } from './close-order';
import { feeTypeOf, type WizardState } from '../schemas';

export interface CreatedOrder {
  orderNo: string;
  /** An identical unpaid order was found and is the one to pay. */
  reused: boolean;
}

/** Nothing built: these live orders hold some of the same bills, and the payer has not chosen. */
export interface OfferedLive {
  offer: LiveOrderOffer[];
}

/** MAX_LIVE_ORDERS's default, for a config built without loadConfig. */
const DEFAULT_MAX_LIVE_ORDERS = 5;

type BuildDeps = PaymentDeps & { buildOne: KeyedQueue };
type BuildInput = { personId: number; wizard: WizardState; now: Date };

/**
 * `buildOne`: one builder per person per instance (the module's queue): the others wait there
 * without a connection, then find the order the first one built (the database lock below
 * decides across instances).
 * `live`: the wizard's question first. Without it (a caller that builds beside a live order on
 * purpose) the order is built as asked; with it, a live order holding any of the same bills is
 * offered instead, unless named in `replace`, and then closed (at its channel) before building.
 */
export function createOrder(deps: BuildDeps, input: BuildInput): Promise<CreatedOrder>;
export function createOrder(deps: BuildDeps, input: BuildInput & { live: { replace: readonly string[] } }): Promise<CreatedOrder | OfferedLive>;
export async function createOrder(deps: BuildDeps, input: BuildInput & { live?: { replace: readonly string[] } }): Promise<CreatedOrder | OfferedLive> {
  const { db, config } = deps;
  const { personId, wizard: w, now } = input;
  // The window is checked again here (it may have closed since 缴费信息修改), and again at 确定缴费.
  const sel = validateSelection(w.category, await payableBills(db, personId, now, feeTypeOf(w)), w.lines);
  if (!sel.ok) {
    const why = await notPayableAmong(db, personId, w.lines.map((l) => l.billId), now);
    throw new AppError('conflict', why ?? Object.values(sel.errors)[0] ?? M.wizardGone);
  }
  const maxLive = config.maxLiveOrders ?? DEFAULT_MAX_LIVE_ORDERS;
  const replace = input.live?.replace ?? [];
  const beside = (q: Knex) => liveBeside(q, { personId, category: w.category, chosen: sel.lines, now });
  /** Live orders holding a chosen bill that the payer has not named to replace: offered. */
  const unanswered = (b: LiveBeside) => (input.live ? b.overlapping.filter((o) => !replace.includes(o.orderNo)) : []);

  const first = await beside(db);
  if (first.same) return { orderNo: first.same.orderNo, reused: true };
  if (unanswered(first).length) return { offer: unanswered(first) };
  await closeReplaced(deps, first.live.filter((o) => replace.includes(o.orderNo) && first.overlapping.some((x) => x.orderNo === o.orderNo)), now);
  // Checked before a serial is spent, and again under the lock, where it decides.
  if ((await beside(db)).live.length >= maxLive) throw new AppError('conflict', M.tooManyLiveOrders(maxLive));
  return deps.buildOne(personId, async (): Promise<CreatedOrder | OfferedLive> => {
    const again = await beside(db);
    if (again.same) return { orderNo: again.same.orderNo, reused: true };

    const payer = await payerOf(db, personId);
    // The serial is taken in its own statement: its row lock is then held for microseconds,
    // not for the whole order transaction. A gap after a failed insert, or after a parallel
    // request built the same order first, is harmless.
    const serial = await nextOrderSerial(db, businessDate(now));
    if (serial === null) throw new AppError('conflict', M.serialsExhausted);
    const orderNo = formatOrderNo(now, config.schoolCode, serial);
    return db.transaction(async (trx) => {
      await lockOrderBuilding(trx, personId);
      const locked = await beside(trx);
      if (locked.same) return { orderNo: locked.same.orderNo, reused: true };
      // One built meanwhile (another tab) holding the same bills: offered, not doubled.
      if (unanswered(locked).length) return { offer: unanswered(locked) };
      if (locked.live.length >= maxLive) throw new AppError('conflict', M.tooManyLiveOrders(maxLive));
      await insertOrder(trx, {
        orderNo, personId, category: w.category, amount: sel.total, notifyMobile: payer.mobile,
        expiresAt: new Date(now.getTime() + config.orderTtlMinutes * 60_000), lines: sel.lines,
      });
      return { orderNo, reused: false };
    });
  });
}

/**
 * The live orders the payer chose to replace, closed at their channels before the new one is
 * built. Paid meanwhile: nothing is built (the bills are paid). A channel that cannot be reached:
 * nothing is built either. A page its channel cannot close stays payable until its expiry, and
 * 确定缴费 of the new order warns of it (submit-to-channel's openAttemptsElsewhere).
 */
async function closeReplaced(deps: PaymentDeps, orders: OrderRow[], now: Date): Promise<void> {
  for (const order of orders) {
    const r = await closeOrder(deps, { order, now });
    if (r === 'paid') throw new AppError('conflict', M.paidElsewhere(order.orderNo));
    if (r === 'unknown') throw new AppError('conflict', M.cannotCloseOther(order.orderNo));
  }
}
