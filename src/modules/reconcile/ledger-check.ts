// `check-ledger`: proves the books agree with themselves — every bill's totals equal its ledger
// entries, every paid order has its receipt and its payment entries, nothing is credited to an
// order that is not paid, every receipt adds up, and each day's payments received through each
// channel equal that channel's statement. Each difference is reported; none is fixed here (the
// reconciliation is what restores and proposes).
import { Decimal, formatMoney } from '../../domain/money';
import type { ChannelAdapter } from '../../gateways/types';
import type { LedgerCheckRepo } from './ledger-check-repo';

export interface LedgerDifference {
  rule: 'bill-totals' | 'order-receipt' | 'order-ledger' | 'unpaid-order-credited' | 'receipt-lines' | 'channel-statement';
  ref: string;
  detail: string;
}

export async function checkLedger(repo: LedgerCheckRepo): Promise<LedgerDifference[]> {
  const [bills, receiptless, lines, early, receipts] = await Promise.all([
    repo.billsOffLedger(),
    repo.paidOrdersWithoutReceipt(),
    repo.paidLinesOffLedger(),
    repo.creditsOfUnpaidOrders(),
    repo.receiptsOffLines(),
  ]);
  return [
    ...bills.map((b) => ({
      rule: 'bill-totals' as const,
      ref: `bill ${b.bill_id}`,
      detail: `bill due/reduction/paid/refunded ${b.due}/${b.reduction}/${b.paid}/${b.refunded}, ledger ${b.l_due}/${b.l_reduction}/${b.l_paid}/${b.l_refunded}`,
    })),
    ...receiptless.map((o) => ({
      rule: 'order-receipt' as const,
      ref: o.order_no!,
      detail: o.receipt_no ? `receipt ${o.receipt_no} total ${o.total} ≠ order ${o.amount}` : `paid order ${o.amount} has no receipt`,
    })),
    ...lines.map((l) => ({ rule: 'order-ledger' as const, ref: `${l.order_no} bill ${l.bill_id}`, detail: `line ${l.amount}, credited ${l.credited}` })),
    ...early.map((o) => ({ rule: 'unpaid-order-credited' as const, ref: o.order_no!, detail: `status ${o.status} but ${o.credited} credited` })),
    ...receipts.map((r) => ({ rule: 'receipt-lines' as const, ref: `receipt ${r.receipt_no}`, detail: `total ${r.total}, lines ${r.lines}` })),
  ];
}

/** Where statements come from: the gateway registry (or a stand-in in tests). */
export interface StatementSource {
  get(id: string): Pick<ChannelAdapter, 'downloadStatement'> | null;
}

/**
 * Per channel and day: the payments we hold as received equal the statement's payment lines,
 * one by one and in total. A statement that cannot be had is a difference too: the check proves
 * agreement, it does not assume it.
 */
export async function checkChannelStatements(repo: LedgerCheckRepo, source: StatementSource, channels: string[], days: string[]): Promise<LedgerDifference[]> {
  const out: LedgerDifference[] = [];
  for (const channel of channels) {
    const adapter = source.get(channel);
    if (!adapter) continue;
    for (const day of days) {
      const ref = `${channel} ${day}`;
      const ours = await repo.receivedOn(channel, day);
      let lines;
      try {
        lines = (await adapter.downloadStatement(day)).lines.filter((l) => l.kind === 'payment');
      } catch (e) {
        out.push({ rule: 'channel-statement', ref, detail: `statement unavailable: ${(e as Error).message}` });
        continue;
      }
      const theirs = new Map<string, Decimal>();
      for (const l of lines) theirs.set(l.channelOrderId, (theirs.get(l.channelOrderId) ?? new Decimal(0)).plus(l.amount));
      for (const o of ours) {
        const t = o.channelOrderId ? theirs.get(o.channelOrderId) : undefined;
        if (!t) out.push({ rule: 'channel-statement', ref, detail: `${o.orderNo} received ${formatMoney(o.amount)} here, absent from the statement` });
        else if (!t.eq(o.amount)) out.push({ rule: 'channel-statement', ref, detail: `${o.orderNo} received ${formatMoney(o.amount)} here, ${formatMoney(t)} on the statement` });
        if (o.channelOrderId) theirs.delete(o.channelOrderId);
      }
      for (const [coid, amount] of theirs) out.push({ rule: 'channel-statement', ref, detail: `${coid} ${formatMoney(amount)} on the statement, not received here` });
    }
  }
  return out;
}
