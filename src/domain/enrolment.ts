// 报名信息: the pure rules of a 报名项目 and its sign-ups. Who a 报名项目 is for,
// what status a sign-up shows (derived from the sign-up and its bill, so a payment credited by the
// payment module shows 已报名 before any job has run), and which sign-ups hold a seat.
import { arrears, netPaid, type BillAmounts } from './arrears';

export const AUDIENCE_LABEL = { external: '校外人员', student: '学生', staff: '教职工', all: '全部' } as const;
export type Audience = keyof typeof AUDIENCE_LABEL;

export const PROJECT_STATUS_LABEL = { draft: '未发布', open: '已发布', closed: '已关闭' } as const;
export type ProjectStatus = keyof typeof PROJECT_STATUS_LABEL;

export type SignupStatus = 'holding' | 'confirmed' | 'released' | 'cancelled' | 'refund_due';

/** The statuses a person reads (我的报名). */
export type SignupShown = '待缴费' | '已报名' | '已取消' | '已退费';

/** A sign-up that blocks a second one of the same person (the partial unique index's statuses). */
export const LIVE_SIGNUP: readonly SignupStatus[] = ['holding', 'confirmed'];

/** people.kind → may this person see and sign up for a 报名项目 of `audience`. */
export function audienceAdmits(audience: Audience, kind: string): boolean {
  return audience === 'all' || audience === kind;
}

/** The bill of a paid 报名项目 is settled: something was paid and nothing is owed. */
export function billSettled(b: BillAmounts): boolean {
  return netPaid(b).greaterThan(0) && arrears(b).isZero();
}

/**
 * What 我的报名 shows. A held sign-up whose bill is settled is 已报名 (the payment is credited by
 * the payment module, which knows nothing of sign-ups); an ended one whose money went back is 已退费.
 */
export function shownStatus(status: SignupStatus, bill: BillAmounts | null): SignupShown {
  if (status === 'confirmed') return '已报名';
  if (status === 'holding') return bill && billSettled(bill) ? '已报名' : '待缴费';
  if (bill && bill.paid.greaterThan(0) && bill.refunded.greaterThanOrEqualTo(bill.paid)) return '已退费';
  return '已取消';
}

/** Is the 报名项目 taking sign-ups at `now`. */
export function projectOpen(p: { status: string; opensAt: Date; closesAt: Date }, now: Date): boolean {
  return p.status === 'open' && p.opensAt <= now && now < p.closesAt;
}

/** An extra field a sign-up fills in (e.g. 工作单位, 准考证寄送地址). */
export interface ExtraField {
  key: string;
  label: string;
  required: boolean;
  maxLength: number;
}

/** The longest an extra field may be (the database keeps answers as jsonb; this bounds the row). */
export const EXTRA_FIELD_MAX = 200;
export const EXTRA_FIELDS_MAX = 8;
