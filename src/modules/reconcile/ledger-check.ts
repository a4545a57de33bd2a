// `check-ledger`: proves the books agree with themselves — every bill's totals equal its ledger
// entries, every paid order has its receipt and its payment entries, nothing is credited to an
// order that is not paid, every receipt adds up. Each difference is reported; none is fixed here.
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
