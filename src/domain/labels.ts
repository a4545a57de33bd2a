// Every label the platform shows for a stored code, in one place, so a service, an EJS view and a
// CSV export never spell a channel or a status two ways. Views get these through app.locals.labels
// (src/app.ts): `labels.orderStatus(o.status)` for one value, `labels.options.counterMethod` for the
// choices of a select. Code imports the maps from here.
//
// Two channel vocabularies are deliberate: 交易银行 names where a payment is recorded (图23: 非税缴费,
// 工商银行, 银联在线) and 支付方式 names where the payer chooses (图12/图14/图20: 非税支付, 中国工商银行,
// 银联支付). Everything else has one wording.
import { CHANNEL_LABEL, CHOICE_LABEL, channelLabel, isChannelCode } from './channels';
import { STATUS_LABEL as ORDER_STATUS_LABEL } from './order-state';
import {
  DIFFERENCE_ACTION_LABEL, DIFFERENCE_KIND_LABEL, OVERPAYMENT_KIND_LABEL, OVERPAYMENT_STATUS_LABEL, RUN_STATUS_LABEL, RUN_TRIGGER_LABEL,
} from './reconcile';

export { CHANNEL_LABEL, CHOICE_LABEL, channelLabel } from './channels';
export { STATUS_LABEL as ORDER_STATUS_LABEL } from './order-state';

type Labels = Readonly<Record<string, string>>;

/** A lookup that shows an unknown code as stored rather than hiding it, and nothing as '--'. */
export const labelOf = (map: Labels) => (code: string | null | undefined): string =>
  !code ? '--' : Object.hasOwn(map, code) ? map[code]! : code;

/** The choices of a select, in the map's order: [code, label]. */
const optionsOf = (map: Labels): [string, string][] => Object.entries(map);

/** 支付方式 as the payer picks it; an unknown code is shown as stored. */
export const choiceLabel = (code: string | null | undefined): string => (!code ? '--' : isChannelCode(code) ? CHOICE_LABEL[code] : code);

/** How finance takes money at the counter (柜台收费). */
export const COUNTER_METHOD_LABEL = { cash: '现金', pos: 'POS刷卡', transfer: '银行转账' } as const;

/** How a receipt or a ledger entry was paid: an online channel by its 交易银行 name, or a counter method. */
export const PAYMENT_METHOD_LABEL: Labels = { ...CHANNEL_LABEL, online: '网上支付', ...COUNTER_METHOD_LABEL };

export const ROLE_LABEL: Labels = {
  student: '学生', staff: '教职工', external: '校外人员', dept_staff: '院系管理员', finance_admin: '财务管理员',
};

export const ACCOUNT_STATUS_LABEL: Labels = { active: '正常', disabled: '已停用' };

/** 账户操作 on the person page. */
export const ACCOUNT_ACTION_LABEL = { reset: '重置为初始密码', unlock: '解除登录限制', disable: '停用账户', enable: '启用账户' } as const;

/** A refund of a bill (退费): its state. */
export const REFUND_STATUS_LABEL: Labels = { pending: '处理中', succeeded: '已退费', failed: '失败' };

/** 退费方式. */
export const REFUND_MODE_LABEL = { offline: '线下退费', channel: '原渠道退回' } as const;

/** 退费性质: what finance means by a refund (src/domain/refund-plan.ts). */
export const REFUND_PURPOSE_LABEL = {
  money_back: '退回多缴或误缴的款项（应收金额不变）',
  fee_reduced: '因休学、退学或减免退费（同时减免应收金额）',
} as const;

/** 减免原因 of a fee-reduced refund. */
export const REDUCTION_CAUSE_LABEL = { suspension: '休学', withdrawal: '退学', waiver: '减免' } as const;

/** 账单调整: the two kinds, as the select offers them. */
export const ADJUSTMENT_KIND_LABEL = { reduction: '减免（绿色通道、助学贷款等）', adjustment: '更正应收金额' } as const;

/** 开单对象. */
export const BILL_RUN_TARGET_LABEL = { college: '整个学院', class: '整个班级', list: '学号名单' } as const;

export const ANNOUNCEMENT_STATUS_LABEL: Labels = { draft: '草稿', published: '已发布', withdrawn: '已撤回' };

/** A submission of an order to a channel (银行交易记录 明细). */
export const ATTEMPT_STATUS_LABEL: Labels = { created: '已创建', sent: '已发送', paid: '已支付', closed: '已关闭', failed: '失败' };

/**
 * The steps of an attempt's history, in the payer's words (交易明细 shows them to the student, so
 * a step without a label here reads as a plain 处理记录, never as its stored code).
 */
export const EVENT_LABEL: Labels = {
  create: '已发送至渠道',
  notify: '收到支付通知',
  query: '主动查询',
  close: '关闭订单',
  reconcile: '对账确认',
  refund: '退款',
};

export const eventLabel = (kind: string | null | undefined): string => (kind && Object.hasOwn(EVENT_LABEL, kind) ? EVENT_LABEL[kind]! : '处理记录');

/**
 * Outcomes recorded by the channel adapters, in the payer's words. The student reads these, so
 * an outcome not listed is shown as '--' rather than as its code.
 */
export function outcomeLabel(outcome: string): string {
  if (outcome === 'credited') return '已入账';
  if (outcome === 'duplicate') return '重复通知，已忽略';
  if (outcome === 'sent') return '已发送';
  if (outcome === 'closed') return '已关闭';
  // A bank page (or QR) its channel cannot close early: it stays payable until its expiry.
  if (outcome === 'open') return '渠道不能提前关闭，支付页面在有效时间内仍可付款';
  if (outcome === 'paid') return '已支付';
  if (outcome === 'unpaid') return '尚未支付';
  if (outcome === 'double-paid') return '重复支付，将原路退回';
  if (outcome === 'uncertain') return '支付渠道未及时答复，系统将自动查询';
  if (outcome === 'refused') return '支付渠道未受理，请重新选择支付方式';
  // A channel order answered after its attempt had closed here: never shown to the payer.
  if (outcome.startsWith('late:')) return outcome === 'late:paid' ? '已支付' : '已作废';
  // A message that failed its checks (a forgery, a wrong amount): it changed nothing.
  if (outcome.startsWith('rejected')) return '无效的通知，已忽略';
  return '--';
}

/** 数据导入: what a file holds, where a background import is, and how a finished one ended. */
export const IMPORT_KIND_LABEL = { people: '人员', bills: '应收' } as const;
export const IMPORT_STATE_LABEL = { parsing: '正在读取并校验文件', writing: '正在写入数据库', done: '已完成', failed: '导入失败' } as const;
export const IMPORT_RUN_STATUS_LABEL: Labels = { imported: '已导入', rejected: '未导入' };
/** The counts of an import, in the sentence shown right after it… */
export const IMPORT_OUTCOME_LABEL = { inserted: '新增', updated: '更新', created: '新开账单', adjusted: '金额调整', unchanged: '未变化' } as const;
/** …and in the narrow 说明 column of the import records. */
export const IMPORT_SUMMARY_LABEL: Labels = { inserted: '新增', updated: '更新', created: '新开', adjusted: '调整', unchanged: '未变' };

/** 对账: a run's state and who started it, a difference and what was done about it, a 重复缴费 flag. */
export {
  DIFFERENCE_ACTION_LABEL, DIFFERENCE_KIND_LABEL, OVERPAYMENT_KIND_LABEL, OVERPAYMENT_STATUS_LABEL,
  RUN_STATUS_LABEL as RECONCILE_RUN_STATUS_LABEL, RUN_TRIGGER_LABEL as RECONCILE_TRIGGER_LABEL,
};

/** What the views see as `labels`: a lookup per vocabulary, and the choices of each select. */
export const labels = {
  channel: channelLabel,
  choice: choiceLabel,
  orderStatus: labelOf(ORDER_STATUS_LABEL),
  attemptStatus: labelOf(ATTEMPT_STATUS_LABEL),
  event: eventLabel,
  outcome: outcomeLabel,
  paymentMethod: labelOf(PAYMENT_METHOD_LABEL),
  role: labelOf(ROLE_LABEL),
  accountStatus: labelOf(ACCOUNT_STATUS_LABEL),
  refundStatus: labelOf(REFUND_STATUS_LABEL),
  refundPurpose: labelOf(REFUND_PURPOSE_LABEL),
  reductionCause: labelOf(REDUCTION_CAUSE_LABEL),
  announcementStatus: labelOf(ANNOUNCEMENT_STATUS_LABEL),
  importKind: labelOf(IMPORT_KIND_LABEL),
  importState: labelOf(IMPORT_STATE_LABEL),
  importRunStatus: labelOf(IMPORT_RUN_STATUS_LABEL),
  importSummary: labelOf(IMPORT_SUMMARY_LABEL),
  reconcileRunStatus: labelOf(RUN_STATUS_LABEL),
  reconcileTrigger: labelOf(RUN_TRIGGER_LABEL),
  differenceKind: labelOf(DIFFERENCE_KIND_LABEL),
  differenceAction: labelOf(DIFFERENCE_ACTION_LABEL),
  overpaymentKind: labelOf(OVERPAYMENT_KIND_LABEL),
  overpaymentStatus: labelOf(OVERPAYMENT_STATUS_LABEL),
  options: {
    counterMethod: optionsOf(COUNTER_METHOD_LABEL),
    accountAction: optionsOf(ACCOUNT_ACTION_LABEL),
    adjustmentKind: optionsOf(ADJUSTMENT_KIND_LABEL),
    refundPurpose: optionsOf(REFUND_PURPOSE_LABEL),
    reductionCause: optionsOf(REDUCTION_CAUSE_LABEL),
    billRunTarget: optionsOf(BILL_RUN_TARGET_LABEL),
    importOutcome: optionsOf(IMPORT_OUTCOME_LABEL),
  },
};
