// 报名信息's user-facing strings (the labels of stored codes are in src/domain/labels.ts).
import { formatMoney, type Decimal } from '../../domain/money';

export const M = {
  nameMissing: '请输入报名项目名称',
  nameLong: '名称不能超过100字',
  descriptionLong: '说明不能超过2000字',
  audienceMissing: '请选择面向对象',
  opensMissing: '请填写报名开始时间',
  closesMissing: '请填写报名截止时间',
  windowBad: '报名截止时间须晚于开始时间',
  quotaBad: '名额须为1至100000的整数',
  holdBad: '保留时长须为1至10080分钟的整数',
  feeItemMissing: '请选择收费项目（或勾选免费）',
  periodMissing: '请选择收费期间',
  amountBad: '金额须为大于0且最多两位小数的数字',
  fieldLabelLong: '字段名称不能超过20字',
  fieldMaxBad: '最大长度须为1至200的整数',
  fieldLabelTwice: '字段名称重复',
  feeItemNotOther: '所选收费项目须为“其他费用”类型',
  feeItemTaken: '该收费项目与收费期间已被另一个报名项目使用',
  notDraft: '报名项目已发布，不能再修改',
  notFound: '报名项目不存在或不在您的管理范围内',
  alreadyOpen: '报名项目不是未发布状态',
  alreadyClosed: '报名项目已关闭',
  answerMissing: (label: string) => `请填写${label}`,
  answerLong: (label: string, n: number) => `${label}不能超过${n}字`,
  reasonMissing: '请填写原因（至少2个字）',
  reasonLong: '原因不能超过200字',
  notOpen: '该报名项目不在报名时间内或已关闭',
  notForYou: '该报名项目不面向您开放',
  full: '名额已满，无法报名',
  already: '您已报名该项目',
  refundPending: '您在该项目有一笔待退的报名费，请联系财务处处理后再报名',
  signupNotFound: '报名记录不存在',
  notConfirmed: '报名尚未完成缴费，暂无报名确认单',
  cannotCancel: '该报名已取消',
  refundRefused: (why: string) => `报名已取消，但原渠道退费未成功：${why}。可再次点击“取消报名并退费”重试`,
  fee: (amount: Decimal | null) => (amount ? `${formatMoney(amount)} 元` : '免费'),
};

export const DONE: Record<string, string> = {
  saved: '报名项目已保存',
  published: '报名项目已发布',
  closed: '报名项目已关闭',
  cancelled: '报名已取消',
  refunded: '报名已取消，报名费已原渠道退回',
  refunding: '报名已取消，退费已提交渠道处理，结果以渠道答复为准',
  signed: '报名成功，请在保留时间内完成缴费',
  confirmed: '报名成功',
};

export const doneNotice = (q: unknown): string[] => (typeof q === 'string' && Object.hasOwn(DONE, q) ? [DONE[q]!] : []);
