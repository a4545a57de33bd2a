// What the wizard's screens show (图9–图12, 图15–图20): read models only. An order past its time
// is closed (at its channel first) before it is shown, so no screen offers an order that lapsed.
import { AppError } from '../../../domain/app-error';
import { Decimal } from '../../../domain/money';
import { LIVE } from '../../../domain/order-state';
import { orderTotals, validateSelection, type Category, type SelectionErrors } from '../../../domain/payment-selection';
import type { ChannelChoice } from '../../../gateways/types';
import type { FeeType } from '../../../domain/payable';
import { notPayableAmong, payableAmong, payableBills } from '../../fees/payable';
import type { TuitionListRead } from '../page-reads';
import { payerOf } from '../../profile/repo';
import { expireIfDue } from '../commands/expire-orders';
import { feeOf, ownOrder, type PaymentDeps } from '../context';
import { M } from '../messages';
import { linesOf, linesOfOrder, liveOrdersOf, type LiveOrdersRead, receiptOfOrder, type OrderRow } from '../orders-repo';
import { feeTypeOf, type WizardState } from '../schemas';
import { liveBeside } from './live-beside';

/** Rows grouped by period, in the order given (newest period first, as the repo reads them). */
export function byPeriod<R extends { periodId: number; periodName: string }>(rows: readonly R[]) {
  const groups: { periodId: number; periodName: string; rows: R[] }[] = [];
  for (const b of rows) {
    const g = groups.find((x) => x.periodId === b.periodId);
    if (g) g.rows.push(b);
    else groups.push({ periodId: b.periodId, periodName: b.periodName, rows: [b] });
  }
  return groups;
}

/** 应交款明细表 (图9/图17) and the person's unpaid orders (继续支付 / 取消). */
/** `read`: the bills and live orders as read with the session (../page-reads.ts tuitionListRead), when they were. */
export async function payableList(deps: PaymentDeps, input: { personId: number; now: Date; read?: TuitionListRead | undefined }) {
  const { personId, now, read } = input;
  const bills = read ? payableAmong(read.bills, now, '学费') : await payableBills(deps.db, personId, now, '学费');
  return { groups: byPeriod(bills), count: bills.length, liveOrders: await liveOrdersShown(deps, personId, now, read?.live) };
}

/** The person's unpaid orders, each with its lines: an order past its time closed first. `read`: as read already. */
export async function liveOrdersShown(deps: PaymentDeps, personId: number, now: Date, read?: LiveOrdersRead) {
  const live: OrderRow[] = [];
  for (const o of read?.orders ?? await liveOrdersOf(deps.db, personId)) {
    // A channel that does not answer leaves the order live (closeOrder's 'unknown'), and it is
    // listed; any other error is a fault and fails the page rather than hiding the order.
    const fresh = await expireIfDue(deps, { order: o, now });
    if (LIVE.includes(fresh.status)) live.push(fresh);
  }
  const lines = read?.lines ?? await linesOf(deps.db, live.map((o) => o.id));
  return live.map((o) => ({ ...o, lines: lines.get(o.id) ?? [] }));
}

/** 缴费信息修改 (图10/图18): the chosen category's items of the tab's fee type in the chosen periods. */
export async function itemsOf(deps: PaymentDeps, input: { personId: number; feeType: FeeType; category: Category; periodIds: number[]; now: Date }) {
  const rows = (await payableBills(deps.db, input.personId, input.now, input.feeType)).filter((b) => b.category === input.category && input.periodIds.includes(b.periodId));
  return { rows };
}

/**
 * 缴费信息修改's 下一步: the selection checked against the bills as they are now. The form's own
 * validation step, not a command: its per-box messages come back as a value for the page to show
 * beside each box, as a schema's would (src/http/validate.ts).
 */
export async function checkSelection(
  deps: PaymentDeps, input: { personId: number; selection: { feeType: FeeType; category: Category; periods: number[]; lines: { billId: number; amount: string }[] }; now: Date },
): Promise<{ ok: true; wizard: WizardState } | { ok: false; errors: SelectionErrors }> {
  const s = input.selection;
  const sel = validateSelection(s.category, await payableBills(deps.db, input.personId, input.now, s.feeType), s.lines);
  if (!sel.ok) {
    // A bill of theirs outside its window or stopped: said so, rather than "not yours".
    const why = await notPayableAmong(deps.db, input.personId, s.lines.map((l) => l.billId), input.now);
    return why ? { ok: false, errors: { ...sel.errors, _: why } } : sel;
  }
  return { ok: true, wizard: { feeType: s.feeType, category: s.category, periods: s.periods, lines: sel.lines.map((l) => ({ billId: l.billId, amount: l.amount.toFixed(2) })) } };
}

/** 交费信息显示 (图11/图19); the bills moved since 下一步 (paid at the counter, reduced): refused, 'conflict'. */
export async function reviewOf(deps: PaymentDeps, input: { personId: number; wizard: WizardState; now: Date }) {
  const bills = await payableBills(deps.db, input.personId, input.now, feeTypeOf(input.wizard));
  const sel = validateSelection(input.wizard.category, bills, input.wizard.lines);
  if (!sel.ok) throw new AppError('conflict', (await notPayableAmong(deps.db, input.personId, input.wizard.lines.map((l) => l.billId), input.now)) ?? M.wizardGone);
  const rows = sel.lines.map((l) => ({ ...bills.find((b) => b.billId === l.billId)!, amount: l.amount }));
  // Live orders holding these bills are offered here, before 下一步 builds anything.
  const beside = await liveBeside(deps.db, { personId: input.personId, category: input.wizard.category, chosen: sel.lines, now: input.now });
  return { rows, total: sel.total, offers: beside.overlapping, reuses: beside.same?.orderNo ?? null };
}

/** 缴费信息确认及支付方式选择 (图12/图20). */
export async function orderViewOf(deps: PaymentDeps, input: { personId: number; orderNo: string; now: Date }) {
  const order = await expireIfDue(deps, { order: await ownOrder(deps, input.personId, input.orderNo), now: input.now });
  const [lines, payer] = await Promise.all([linesOfOrder(deps.db, order.id), payerOf(deps.db, input.personId)]);
  const channels: (ChannelChoice & { fee: Decimal; total: Decimal })[] = deps.registry.choicesFor(order.category).map((c) => ({
    ...c, ...orderTotals(order.amount, feeOf(deps.config, c.id)),
  }));
  const chosen = channels.find((c) => c.id === order.channel && c.available) ?? channels.find((c) => c.available) ?? null;
  return { order, lines, channels, chosen, mobile: order.notifyMobile || payer.mobile };
}

/** 银行支付结果 (图15/图16), of an order as it is (see commands/settle-on-return.ts for asking first). */
export async function resultOf(deps: PaymentDeps, input: { personId: number; order: OrderRow }) {
  const { order } = input;
  const [lines, payer, receipt] = await Promise.all([linesOfOrder(deps.db, order.id), payerOf(deps.db, input.personId), receiptOfOrder(deps.db, order.id)]);
  return { order, lines, payer, receipt };
}
