// What 学费缴费 offers (图9/图17): bills of 学费-type items that are collecting (收费), inside their
// collection window, and still owed. Other fees (其他费用) are paid elsewhere.
import { arrears, type BillAmounts } from './arrears';
import type { Decimal } from './money';

export interface PayableCandidate extends BillAmounts {
  feeType: string;
  itemStatus: string;
  startsAt: Date | null;
  endsAt: Date | null;
}

/** Whether the bill's item is offered for online payment at `now` (whatever is still owed). */
export function isOffered(b: PayableCandidate, now: Date): boolean {
  return b.feeType === '学费' && b.itemStatus === '收费' && (!b.startsAt || b.startsAt <= now) && (!b.endsAt || b.endsAt >= now);
}

/** The offered bills that still owe something, each with its arrears, in the order given. */
export function payableNow<B extends PayableCandidate>(bills: readonly B[], now: Date): (B & { arrears: Decimal })[] {
  return bills
    .filter((b) => isOffered(b, now))
    .map((b) => ({ ...b, arrears: arrears(b) }))
    .filter((b) => b.arrears.greaterThan(0));
}
