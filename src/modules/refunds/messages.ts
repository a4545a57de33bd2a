// What the refunds module tells finance when it refuses or cannot finish a refund.
import type { Decimal } from '../../domain/money';

export const M = {
  billNotFound: '账单不存在',
  billChanged: '核对之后该账单有了变化（缴费、退费或减免），请重新核对后再确认退费',
  overBill: (max: Decimal) => `退费金额不能超过该账单可退金额 ${max.toFixed(2)} 元`,
  overReducible: (max: Decimal) => `减免金额不能超过该账单可减免金额 ${max.toFixed(2)} 元`,
  reductionTooSmall: (min: Decimal) => `减免金额至少为 ${min.toFixed(2)} 元，否则退费后该账单会重新欠费；如应收金额不变，请选择“退回多缴或误缴的款项”`,
  overOrder: (left: Decimal) => `退费金额不能超过原订单可退金额 ${left.toFixed(2)} 元`,
  overLine: (left: Decimal) => `退费金额不能超过原订单该账单可退金额 ${left.toFixed(2)} 元`,
  orderGone: '原订单不存在或已全额退款，请选择线下退费',
  noOnlineOrder: '该账单没有网上支付的订单，请选择线下退费',
  noRefundApi: '该支付渠道的退费接口未接入，请选择线下退费',
  noAttemptRefundApi: '该渠道的退费接口未接入，请在渠道后台原路退回',
  refused: (reason: string) => `渠道拒绝退费：${reason}`,
  unsupported: '该渠道不支持原路退费，请选择线下退费',
  unsupportedAttempt: '该渠道不支持原路退费，请线下退费',
  uncertain: (why: string, refundNo: string) => `退费请求已提交但渠道未明确答复（${why}），退费单 ${refundNo} 保持“处理中”，系统将向渠道查询后自动入账或释放`,
  flagNotFound: '记录不存在',
  flagBusy: (status: string) => `该笔已在处理（${status}）`,
  flagBusyDismiss: (status: string) => `该笔已在处理（${status}），不能标记`,
  flagMoved: '该笔状态已变化，未发起退款',
  channelFailed: (reason: string) => `渠道退款失败：${reason}`,
};
