// What 学费缴费 offers (图9/图17): bills of 学费-type items that are collecting (收费), inside their
// collection window, and still owed. Other fees (其他费用) are paid elsewhere.
import { arrears, type BillAmounts } from './arrears';
import { payableBeyondDeferral } from './deferral';
import type { Decimal } from './money';

export interface PayableCandidate extends BillAmounts {
  feeType: string;
  itemStatus: string;
  startsAt: Date | null;
  endsAt: Date | null;
  /** What a deferral in force (缓缴) still holds back of this bill: not payable online. */
  deferred?: Decimal | undefined;
}

/** Whether `now` is inside the item's collection window (收费起始 … 收费终止; tuition has none). */
export function inWindow(b: Pick<PayableCandidate, 'startsAt' | 'endsAt'>, now: Date): boolean {
  return (!b.startsAt || b.startsAt <= now) && (!b.endsAt || b.endsAt >= now);
}

/**
 * 收费状态 as 图8 explains it — 收费: being collected now; 停止: not now. Finance's switch alone is
 * not enough: an item whose 收费终止 has passed (or whose 收费起始 has not come) is not collecting,
 * whatever the switch says.
 */
export function collectionStatus(b: Pick<PayableCandidate, 'itemStatus' | 'startsAt' | 'endsAt'>, now: Date): '收费' | '停止' {
  return b.itemStatus === '收费' && inWindow(b, now) ? '收费' : '停止';
}

/** Whether the bill's item is offered for online payment at `now` (whatever is still owed). */
export function isOffered(b: PayableCandidate, now: Date): boolean {
  return b.feeType === '学费' && collectionStatus(b, now) === '收费';
}

/**
 * The offered bills that still owe something beyond their deferred part, each with what may be
 * paid online as its arrears (the deferred part left out), in the order given.
 */
export function payableNow<B extends PayableCandidate>(bills: readonly B[], now: Date): (B & { arrears: Decimal })[] {
  return bills
    .filter((b) => isOffered(b, now))
    .map((b) => ({ ...b, arrears: payableBeyondDeferral(arrears(b), b.deferred) }))
    .filter((b) => b.arrears.greaterThan(0));
}
