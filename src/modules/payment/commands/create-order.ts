// 交费信息显示's 下一步: the order is fixed. An identical unpaid order is reused, not duplicated,
// and a person has at most MAX_LIVE_ORDERS live orders. Each refusal (the bills moved since the
// page was drawn, the cap, the day's serials spent) is an AppError 'conflict': the state of the
// person or of the day says no, and 交费信息显示 is shown again with the message.
import type { Knex } from 'knex';
import { AppError } from '../../../domain/app-error';
import { businessDate } from '../../../domain/business-date';
import type { KeyedQueue } from '../../../domain/keyed-queue';
import { formatOrderNo } from '../../../domain/order-number';
import { validateSelection, type ChosenLine } from '../../../domain/payment-selection';
import { payableBills } from '../../fees/payable';
import { payerOf } from '../../profile/repo';
import type { PaymentDeps } from '../context';
import { M } from '../messages';
import { insertOrder, linesOf, liveOrdersOf, lockOrderBuilding, nextOrderSerial, type OrderLineRow, type OrderRow } from '../orders-repo';
import type { WizardState } from '../schemas';

export interface CreatedOrder {
  orderNo: string;
  /** An identical unpaid order was found and is the one to pay. */
  reused: boolean;
}

/** MAX_LIVE_ORDERS's default, for a config built without loadConfig. */
const DEFAULT_MAX_LIVE_ORDERS = 5;

const sameLines = (a: OrderLineRow[] | undefined, b: ChosenLine[]) =>
  !!a && a.length === b.length && b.every((l) => a.some((x) => x.billId === l.billId && x.amount.eq(l.amount)));

/**
 * `buildOne`: one builder per person per instance (the module's queue): the others wait there
 * without a connection, then find the order the first one built (the database lock below
 * decides across instances).
 */
export async function createOrder(
  deps: PaymentDeps & { buildOne: KeyedQueue }, input: { personId: number; wizard: WizardState; now: Date },
): Promise<CreatedOrder> {
  const { db, config } = deps;
  const { personId, wizard: w, now } = input;
  const sel = validateSelection(w.category, await payableBills(db, personId, now), w.lines);
  if (!sel.ok) throw new AppError('conflict', Object.values(sel.errors)[0] ?? M.wizardGone);
  const maxLive = config.maxLiveOrders ?? DEFAULT_MAX_LIVE_ORDERS;
  // Live means unpaid and not yet expired: one past its time is the expiry job's, not the cap's.
  const liveNow = async (q: Knex) => (await liveOrdersOf(q, personId)).filter((o) => o.expiresAt > now);
  const sameIn = async (live: OrderRow[], q: Knex) => {
    const mine = live.filter((o) => o.category === w.category);
    const lines = await linesOf(q, mine.map((o) => o.id));
    return mine.find((o) => sameLines(lines.get(o.id), sel.lines)) ?? null;
  };
  const live = await liveNow(db);
  const same = await sameIn(live, db);
  if (same) return { orderNo: same.orderNo, reused: true };
  // Checked before a serial is spent, and again under the lock, where it decides.
  if (live.length >= maxLive) throw new AppError('conflict', M.tooManyLiveOrders(maxLive));
  return deps.buildOne(personId, async (): Promise<CreatedOrder> => {
    const again = await sameIn(await liveNow(db), db);
    if (again) return { orderNo: again.orderNo, reused: true };

    const payer = await payerOf(db, personId);
    // The serial is taken in its own statement: its row lock is then held for microseconds,
    // not for the whole order transaction. A gap after a failed insert, or after a parallel
    // request built the same order first, is harmless.
    const serial = await nextOrderSerial(db, businessDate(now));
    if (serial === null) throw new AppError('conflict', M.serialsExhausted);
    const orderNo = formatOrderNo(now, config.schoolCode, serial);
    return db.transaction(async (trx) => {
      await lockOrderBuilding(trx, personId);
      const liveLocked = await liveNow(trx);
      const built = await sameIn(liveLocked, trx);
      if (built) return { orderNo: built.orderNo, reused: true };
      if (liveLocked.length >= maxLive) throw new AppError('conflict', M.tooManyLiveOrders(maxLive));
      await insertOrder(trx, {
        orderNo, personId, category: w.category, amount: sel.total, notifyMobile: payer.mobile,
        expiresAt: new Date(now.getTime() + config.orderTtlMinutes * 60_000), lines: sel.lines,
      });
      return { orderNo, reused: false };
    });
  });
}
