// 其他费用 (manual 三(三), 图8's columns): the person's 其他费用-type bills by 收费期间 with 收费起始,
// 收费终止, 收费状态 and 项目类别, each saying whether it can be paid now and, if not, why; the
// optional items (选缴) offered to them; and their unpaid orders. Paying goes through the same
// wizard as 学费缴费 (缴费信息修改 onwards), of this fee type only.
import { arrears, netPaid, payable, paymentStatus } from '../../../domain/arrears';
import type { Decimal } from '../../../domain/money';
import { collectionStatus, isOffered, notPayableReason } from '../../../domain/payable';
import { feesRepo, type OptionalOffer, type PersonBill } from '../../fees/repo';
import type { PaymentDeps } from '../context';
import { byPeriod, liveOrdersShown } from './wizard';

export interface OtherFeeRow extends PersonBill {
  payable: Decimal;
  netPaid: Decimal;
  arrears: Decimal;
  status: '已完成' | '未完成';
  collecting: '收费' | '停止';
  /** Owed and payable now: its period can be ticked for 财政/代收项目缴费. */
  canPay: boolean;
  /** Owed but not payable now: why (before 收费起始, after 收费终止, 停止). */
  reason: string | null;
}

export interface OfferRow extends OptionalOffer {
  collecting: '收费' | '停止';
  /** Why it cannot be chosen now; null when it can. */
  reason: string | null;
}

export async function otherFeesList(deps: PaymentDeps, input: { personId: number; now: Date }) {
  const { personId, now } = input;
  const repo = feesRepo(deps.db);
  const [bills, offers, liveOrders] = await Promise.all([repo.billsOf(personId), repo.offersFor(personId), liveOrdersShown(deps, personId, now)]);
  const rows: OtherFeeRow[] = bills.filter((b) => b.feeType === '其他费用').map((b) => {
    const owed = arrears(b);
    const canPay = owed.greaterThan(0) && isOffered(b, now, '其他费用');
    return {
      ...b, payable: payable(b), netPaid: netPaid(b), arrears: owed, status: paymentStatus(b), collecting: collectionStatus(b, now),
      canPay, reason: owed.greaterThan(0) && !canPay ? notPayableReason(b, now) : null,
    };
  });
  const offered: OfferRow[] = offers.filter((o) => !o.chosen).map((o) => ({ ...o, collecting: collectionStatus(o, now), reason: notPayableReason(o, now) }));
  const groups = byPeriod(rows).map((g) => ({ ...g, canPay: g.rows.some((r) => r.canPay) }));
  return { groups, count: rows.length, payableCount: rows.filter((r) => r.canPay).length, offers: offered, liveOrders };
}
