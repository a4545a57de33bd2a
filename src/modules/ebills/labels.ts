// The words printed on a bill, in one place for the HTML page, the PDF and the SMS.
import type { EbillKind } from './repo';

export const FISCAL_TITLE = '甘肃省非税收入统一票据（电子）';
/** For 代收 money (体检费, 医疗保险), which is not the school's income. */
export const SETTLEMENT_TITLE = '甘肃省行政事业单位资金往来结算票据（电子）';

/** 'school': the university's own receipt that 代收 items had before the settlement bill. */
export function billTitle(kind: EbillKind, schoolName: string): string {
  return kind === 'fiscal' ? FISCAL_TITLE : kind === 'settlement' ? SETTLEMENT_TITLE : `${schoolName}统一收款收据（电子）`;
}

/** The seal printed in the 执收单位 box. */
export function sealText(kind: EbillKind): string {
  return kind === 'fiscal' ? '电子收缴专用章' : '财务专用章';
}

export const LABELS = {
  billCode: '票据代码',
  billNo: '票据号码',
  checkCode: '校验码',
  issuedOn: '开票日期',
  payer: '缴款人',
  columns: ['项目编码', '项目名称', '单位', '数量', '标准', '金额'] as const,
  total: '合计',
  unit: '执收单位',
  unitName: '名称',
  seal: '公章',
  remark: '备注',
  handler: '经办人',
};

/** Where the QR code on a bill points: the public verification page. */
export function verifyPath(b: { billCode: string; billNo: string; checkCode: string }): string {
  const q = new URLSearchParams({ code: b.billCode, no: b.billNo, check: b.checkCode });
  return `/ebills/verify?${q.toString()}`;
}
