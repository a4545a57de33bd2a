// What may be paid online (学费缴费 图9/图17 for 学费-type items, 其他费用 for the 零星 fees of
// manual 三(三)): bills whose item is collecting (收费), inside its collection window (收费起始 …
// 收费终止; tuition has none), and still owed. An item finance marked 逾期可缴 stays payable after
// its 收费终止 — never before its 收费起始.
import { arrears, type BillAmounts } from './arrears';
import { businessDateTime } from './business-date';
import { payableBeyondDeferral } from './deferral';
import type { Decimal } from './money';

export type FeeType = '学费' | '其他费用';

export interface PayableCandidate extends BillAmounts {
  feeType: string;
  itemStatus: string;
  startsAt: Date | null;
  endsAt: Date | null;
  /** 逾期可缴: payable after 收费终止 (fee_items.payable_after_end); false when not given. */
  payableAfterEnd?: boolean;
  /** What a deferral in force (缓缴) still holds back of this bill: not payable online. */
  deferred?: Decimal | undefined;
}

type Window = Pick<PayableCandidate, 'startsAt' | 'endsAt' | 'payableAfterEnd'>;

const started = (b: Window, now: Date) => !b.startsAt || new Date(b.startsAt) <= now;
const ended = (b: Window, now: Date) => !!b.endsAt && new Date(b.endsAt) < now;

/** Whether `now` is inside the item's collection window, 逾期可缴 stretching it past its end. */
export function inWindow(b: Window, now: Date): boolean {
  return started(b, now) && (!ended(b, now) || !!b.payableAfterEnd);
}

/** An item whose 收费终止 has passed and that may not be paid late: hidden unless 显示过期项目. */
export function isExpired(b: Window, now: Date): boolean {
  return ended(b, now) && !b.payableAfterEnd;
}

/**
 * 收费状态 as 图8 explains it — 收费: being collected now; 停止: not now. Finance's switch alone is
 * not enough: an item whose 收费终止 has passed (unless 逾期可缴) or whose 收费起始 has not come is
 * not collecting, whatever the switch says.
 */
export function collectionStatus(b: Pick<PayableCandidate, 'itemStatus'> & Window, now: Date): '收费' | '停止' {
  return b.itemStatus === '收费' && inWindow(b, now) ? '收费' : '停止';
}

/**
 * Why an item cannot be paid now, in the words the payer reads; null when it can. The order of the
 * checks is the order a payer would want to hear them: a stopped item says so even inside its window.
 */
export function notPayableReason(b: Pick<PayableCandidate, 'itemStatus'> & Window & { itemName: string }, now: Date): string | null {
  const minute = (d: Date) => businessDateTime(new Date(d)).slice(0, 16);
  if (b.itemStatus !== '收费') return `“${b.itemName}”暂停收费，暂不能缴费`;
  if (!started(b, now)) return `“${b.itemName}”尚未开始收费（收费起始 ${minute(b.startsAt!)}），请在收费时间内缴费`;
  if (ended(b, now) && !b.payableAfterEnd) return `“${b.itemName}”已过收费终止时间（${minute(b.endsAt!)}），不能再缴费，如有疑问请联系财务处`;
  return null;
}

/** Whether the bill's item is offered for online payment at `now` (whatever is still owed); of `feeType` when given. */
export function isOffered(b: PayableCandidate, now: Date, feeType?: FeeType): boolean {
  return (!feeType || b.feeType === feeType) && collectionStatus(b, now) === '收费';
}

/**
 * The offered bills (of `feeType` when given) that still owe something beyond their deferred
 * part, each with what may be paid online as its arrears (the deferred part left out), in the
 * order given.
 */
export function payableNow<B extends PayableCandidate>(bills: readonly B[], now: Date, feeType?: FeeType): (B & { arrears: Decimal })[] {
  return bills
    .filter((b) => isOffered(b, now, feeType))
    .map((b) => ({ ...b, arrears: payableBeyondDeferral(arrears(b), b.deferred) }))
    .filter((b) => b.arrears.greaterThan(0));
}
