// A person's live orders beside a selection of bills: the identical one (下一步 reuses it rather
// than building a twin) and the others holding any of the chosen bills (交费信息显示 offers them,
// with their channel and expiry, before anything new is built). Live means unpaid and not yet
// expired: one past its time is the expiry job's, neither reused nor offered.
import type { Knex } from 'knex';
import type { Decimal } from '../../../domain/money';
import type { Category } from '../../../domain/payment-selection';
import { linesOf, liveOrdersOf, type OrderLineRow, type OrderRow } from '../orders-repo';

/** A live order holding some of the chosen bills, as 交费信息显示 offers it. */
export interface LiveOrderOffer {
  orderNo: string;
  channel: string | null;
  expiresAt: Date;
  amount: Decimal;
  lines: OrderLineRow[];
}

export interface LiveBeside {
  /** Every live order of the person (for the MAX_LIVE_ORDERS cap). */
  live: OrderRow[];
  same: OrderRow | null;
  overlapping: LiveOrderOffer[];
}

const sameLines = (a: OrderLineRow[], b: readonly { billId: number; amount: Decimal }[]) =>
  a.length === b.length && b.every((l) => a.some((x) => x.billId === l.billId && x.amount.eq(l.amount)));

export async function liveBeside(
  q: Knex, input: { personId: number; category: Category; chosen: readonly { billId: number; amount: Decimal }[]; now: Date },
): Promise<LiveBeside> {
  const live = (await liveOrdersOf(q, input.personId)).filter((o) => o.expiresAt > input.now);
  const lines = await linesOf(q, live.map((o) => o.id));
  const of = (o: OrderRow) => lines.get(o.id) ?? [];
  const same = live.find((o) => o.category === input.category && sameLines(of(o), input.chosen)) ?? null;
  const chosen = new Set(input.chosen.map((l) => l.billId));
  const overlapping = live.filter((o) => o !== same && of(o).some((l) => chosen.has(l.billId)))
    .map((o) => ({ orderNo: o.orderNo, channel: o.channel, expiresAt: o.expiresAt, amount: o.amount, lines: of(o) }));
  return { live, same, overlapping };
}
