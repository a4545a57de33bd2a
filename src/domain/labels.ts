// Every label the platform shows for a stored code, in one place, so a service, an EJS view and a
// CSV export never spell a channel or a status two ways. Views get these through app.locals.labels
// (src/app.ts): `labels.orderStatus(o.status)` for one value, `labels.options.counterMethod` for the
// choices of a select. Code imports the maps from here.
//
// Two channel vocabularies are deliberate: 交易银行 names where a payment is recorded (图23: 非税缴费,
// 工商银行, 银联在线) and 支付方式 names where the payer chooses (图12/图14/图20: 非税支付, 中国工商银行,
// 银联支付). Everything else has one wording.
import { DEFERRAL_AUDIT_LABEL, DEFERRAL_KIND_LABEL, DEFERRAL_STATUS_LABEL, LOAN_IMPORT_OUTCOME_LABEL, LOAN_KIND_LABEL, LOAN_METHOD_LABEL, LOAN_REFUND_STATUS_LABEL } from './deferral-labels';
import { businessDateTime } from './business-date';
import { PAYER_AUDIT_LABEL, PAYER_LINK_STATUS_LABEL } from './payer-labels';
import { CHANNEL_LABEL, CHOICE_LABEL, channelLabel, isChannelCode } from './channels';
import { STATUS_LABEL as ORDER_STATUS_LABEL } from './order-state';
import { AUDIENCE_LABEL, PROJECT_STATUS_LABEL } from './enrolment';
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
export const PAYMENT_METHOD_LABEL: Labels = { ...CHANNEL_LABEL, online: '网上支付', ...COUNTER_METHOD_LABEL, ...LOAN_METHOD_LABEL };

export const ROLE_LABEL: Labels = {
  student: '学生', staff: '教职工', external: '校外人员', dept_staff: '院系管理员', finance_admin: '财务管理员', payer: '授权缴费人',
};

export const ACCOUNT_STATUS_LABEL: Labels = { active: '正常', disabled: '已停用', limited: '登录受限（须输入验证码）' };

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

/** A reminder campaign (催缴提醒): saved, 发送 pressed for a later time, its messages in the outboxes. */
export const REMINDER_STATUS_LABEL: Labels = { draft: '草稿', scheduled: '已定时', queued: '已发送' };

/** 缓缴情况 of a campaign's audience: everyone, only those with a deferral in force, or only those without. */
export const REMINDER_DEFERRED_LABEL = { all: '全部', deferred: '仅缓缴', not_deferred: '不含缓缴' } as const;
export type ReminderDeferred = keyof typeof REMINDER_DEFERRED_LABEL;
export const REMINDER_DEFERRED = Object.keys(REMINDER_DEFERRED_LABEL) as [ReminderDeferred, ...ReminderDeferred[]];

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
export const IMPORT_KIND_LABEL = { people: '人员', bills: '应收', loans: '贷款放款' } as const;
export const IMPORT_STATE_LABEL = { parsing: '正在读取并校验文件', writing: '正在写入数据库', done: '已完成', failed: '导入失败' } as const;
export const IMPORT_RUN_STATUS_LABEL: Labels = { imported: '已导入', rejected: '未导入' };
/** The counts of an import, in the sentence shown right after it… */
export const IMPORT_OUTCOME_LABEL = { inserted: '新增', updated: '更新', created: '新开账单', adjusted: '金额调整', unchanged: '未变化', ...LOAN_IMPORT_OUTCOME_LABEL } as const;
/** …and in the narrow 说明 column of the import records. */
export const IMPORT_SUMMARY_LABEL: Labels = { inserted: '新增', updated: '更新', created: '新开', adjusted: '调整', unchanged: '未变', ...LOAN_IMPORT_OUTCOME_LABEL };

/** 对账: a run's state and who started it, a difference and what was done about it, a 重复缴费 flag. */
export {
  DIFFERENCE_ACTION_LABEL, DIFFERENCE_KIND_LABEL, OVERPAYMENT_KIND_LABEL, OVERPAYMENT_STATUS_LABEL,
  RUN_STATUS_LABEL as RECONCILE_RUN_STATUS_LABEL, RUN_TRIGGER_LABEL as RECONCILE_TRIGGER_LABEL,
};

/** 审计日志: each action code the platform records, as finance reads it. */
export const AUDIT_ACTION_LABEL: Labels = {
  'auth.login': '登录', 'auth.login_failed': '登录失败', 'auth.login_limited': '登录受限（须输入验证码）', 'auth.reauth_locked': '验证密码失败过多，已锁定',
  'password.change': '密码修改', 'password.recover': '找回密码并重设', 'profile.update': '个人信息修改', 'profile.mobile': '手机号码修改',
  'security.change': '密保修改', 'bank_card.change': '银行卡修改', 'account.register': '新用户注册',
  ...Object.fromEntries(Object.entries(ACCOUNT_ACTION_LABEL).map(([k, v]) => [`account.${k}`, v])),
  'period.create': '新增收费期间', 'period.update': '修改收费期间', 'fee_item.create': '新增收费项目', 'fee_item.update': '修改收费项目',
  'reminder.create': '新建催缴提醒', 'reminder.send': '发送催缴提醒', 'reminder.queue': '催缴提醒入队', 'reminder.deadline': '设置到期提醒',
  'email.confirm': '确认邮箱', 'email.unsubscribe': '退订提醒邮件',
  'enrolment.save': '保存报名项目', 'enrolment.publish': '发布报名项目', 'enrolment.close': '关闭报名项目', 'enrolment.cancel': '取消报名',
  'bill.run': '开单', 'bill.choose': '本人选缴', 'bill.reduction': '减免', 'bill.adjustment': '更正应收金额', 'counter.payment': '柜台收费',
  'refund.offline': '线下退费', 'refund.channel': '原渠道退费', 'refund.channel_requested': '申请原渠道退费', 'refund.channel_failed': '原渠道退费失败',
  'overpayment.dismiss': '多缴款标记为已处理', 'overpayment.auto_refund': '多缴款自动退回', 'overpayment.duplicate_auto_refund': '重复缴费自动退回',
  'announcement.save': '保存公告草稿', 'announcement.publish': '发布公告', 'announcement.withdraw': '撤回公告',
  'import.people': '导入人员', 'import.bills': '导入应收', 'import.people.rejected': '人员导入未通过校验', 'import.bills.rejected': '应收导入未通过校验',
  ...DEFERRAL_AUDIT_LABEL, ...PAYER_AUDIT_LABEL, 'reconcile.run': '下载对账单对账', 'reconcile.upload': '上传对账文件对账', 'nontax.maintenance': '登记非税平台维护', 'nontax.maintenance_end': '结束非税平台维护',
};

/**
 * The names in an audit entry's detail, in the order the page lists them (the database keeps a
 * jsonb's keys in an order of its own): what it is about, what changed, then why.
 */
const AUDIT_KEY_LABEL: Labels = {
  orderNo: '订单号', receiptNo: '收费单号', refundNo: '退费单号', refundId: '退费记录号', overpaymentId: '多缴记录号', billId: '账单号',
  announcementId: '公告号', runId: '批次号', id: '编号', periodId: '收费期间号', itemId: '收费项目号', title: '标题', name: '名称', code: '项目编码',
  category: '项目类别', fee_type: '收费类型', payee: '收款单位', unit: '单位', starts_at: '收费起始', ends_at: '收费终止', sort_order: '排序',
  channel: '渠道', day: '对账日期', file: '文件', fileName: '文件', bytes: '文件字节数', sha256: '文件SHA-256', kind: '类型', method: '收费方式',
  target: '开单对象', college: '学院号', klass: '班级号', count: '人数', amount: '金额', lines: '明细', fields: '修改项', field: '修改项', via: '修改途径',
  last4: '卡号后四位', rows: '行数', errors: '错误行数', ...IMPORT_OUTCOME_LABEL, existing: '已有账单', startsAt: '开始时间', endsAt: '预计恢复时间',
  otherSessionsEnded: '退出的其他登录', sessionsEnded: '退出的登录', failures: '近期失败次数', minutes: '锁定分钟数',
  ok: '结果', status: '状态', message: '说明', settledBy: '处理方', cause: '原因', reason: '原因', number: '用户编号', expectedOn: '预计到账日期', arrivedOn: '到账日期',
  mobile: '手机号', relation: '关系', linkId: '授权编号', students: '学生人数',
};
const KEY_ORDER = new Map(Object.keys(AUDIT_KEY_LABEL).map((k, i) => [k, i]));

/** Stored names of the fields a person changes (个人信息, 密保, 银行卡). */
const FIELD_LABEL: Labels = {
  mobile: '手机', email: '邮箱', postcode: '邮编', address: '地址', password: '密码', security_question: '密保问题', security_answer: '密保答案',
  bank_name: '开户银行', bank_card: '银行卡号',
};

/** Values that are codes, by the name they are stored under. */
const AUDIT_VALUE_LABEL: Record<string, (v: string) => string> = {
  via: labelOf({ pay: '缴费页面（非税通知）', profile: '个人信息', security_question: '密保问题', sms_code: '短信验证码', payer_sms: '授权缴费人短信验证码' }),
  cause: labelOf({ password: '密码错误', disabled: '账户已停用' }),
  method: labelOf(PAYMENT_METHOD_LABEL), channel: channelLabel, target: labelOf(BILL_RUN_TARGET_LABEL),
  kind: labelOf({ ...OVERPAYMENT_KIND_LABEL, reduction: '减免', adjustment: '更正' }), status: labelOf({ ...RUN_STATUS_LABEL, ...REFUND_STATUS_LABEL }),
  settledBy: (v) => `系统任务 ${v}`, fields: labelOf(FIELD_LABEL), field: labelOf(FIELD_LABEL),
};

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

function auditValue(key: string, v: unknown): string {
  if (Array.isArray(v)) return v.map((x) => auditValue(key, x)).join('、');
  if (typeof v === 'boolean') return key === 'ok' ? (v ? '成功' : '失败') : v ? '是' : '否';
  if (v && typeof v === 'object') {
    // A counter payment's lines: 账单号 and 金额 each.
    return Object.entries(v).map(([k, x]) => `${AUDIT_KEY_LABEL[k] ?? k}${auditValue(k, x)}`).join(' ');
  }
  const s = v === null || v === undefined ? '--' : String(v);
  if (ISO_TIME.test(s) && !Number.isNaN(Date.parse(s))) return businessDateTime(new Date(s));
  return AUDIT_VALUE_LABEL[key]?.(s) ?? s;
}

/** An entry's detail as [label, value] pairs in AUDIT_KEY_LABEL's order; a name not known yet shows as stored, last. */
export function auditDetail(stored: unknown): [string, string][] {
  const detail: unknown = typeof stored === 'string' ? JSON.parse(stored) : stored;
  if (!detail || typeof detail !== 'object') return [];
  const rank = (k: string) => KEY_ORDER.get(k) ?? KEY_ORDER.size;
  return Object.entries(detail).sort(([a], [b]) => rank(a) - rank(b)).map(([k, v]) => [AUDIT_KEY_LABEL[k] ?? k, auditValue(k, v)]);
}

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
  reminderStatus: labelOf(REMINDER_STATUS_LABEL), reminderDeferred: labelOf(REMINDER_DEFERRED_LABEL),
  importKind: labelOf(IMPORT_KIND_LABEL), importState: labelOf(IMPORT_STATE_LABEL), importRunStatus: labelOf(IMPORT_RUN_STATUS_LABEL), importSummary: labelOf(IMPORT_SUMMARY_LABEL),
  reconcileRunStatus: labelOf(RUN_STATUS_LABEL), reconcileTrigger: labelOf(RUN_TRIGGER_LABEL),
  differenceKind: labelOf(DIFFERENCE_KIND_LABEL), differenceAction: labelOf(DIFFERENCE_ACTION_LABEL),
  overpaymentKind: labelOf(OVERPAYMENT_KIND_LABEL), overpaymentStatus: labelOf(OVERPAYMENT_STATUS_LABEL),
  auditAction: labelOf(AUDIT_ACTION_LABEL),
  auditDetail,
  audience: labelOf(AUDIENCE_LABEL),
  enrolmentStatus: labelOf(PROJECT_STATUS_LABEL),
  payerLink: labelOf(PAYER_LINK_STATUS_LABEL),
  deferralKind: labelOf(DEFERRAL_KIND_LABEL), deferralStatus: labelOf(DEFERRAL_STATUS_LABEL), loanKind: labelOf(LOAN_KIND_LABEL), loanRefundStatus: labelOf(LOAN_REFUND_STATUS_LABEL),
  options: {
    audience: optionsOf(AUDIENCE_LABEL),
    counterMethod: optionsOf(COUNTER_METHOD_LABEL),
    accountAction: optionsOf(ACCOUNT_ACTION_LABEL),
    adjustmentKind: optionsOf(ADJUSTMENT_KIND_LABEL),
    refundPurpose: optionsOf(REFUND_PURPOSE_LABEL),
    reductionCause: optionsOf(REDUCTION_CAUSE_LABEL),
    billRunTarget: optionsOf(BILL_RUN_TARGET_LABEL),
    importOutcome: optionsOf(IMPORT_OUTCOME_LABEL),
    deferralKind: optionsOf(DEFERRAL_KIND_LABEL), loanKind: optionsOf(LOAN_KIND_LABEL),
    reminderDeferred: optionsOf(REMINDER_DEFERRED_LABEL),
  },
};
