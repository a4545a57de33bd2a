// Channel codes as stored in orders.channel / payment_attempts.channel, and the 交易银行 label
// the pages show for each (图23: 非税缴费, 微信支付, 工商银行). One map, so the wizard, the
// transaction records and the finance console never spell a channel two ways.
export const CHANNEL_CODES = ['nontax', 'alipay', 'wechat', 'unionpay', 'icbc'] as const;

export type ChannelCode = (typeof CHANNEL_CODES)[number];

export const CHANNEL_LABEL: Record<ChannelCode, string> = {
  nontax: '非税缴费',
  alipay: '支付宝',
  wechat: '微信支付',
  unionpay: '银联在线',
  icbc: '工商银行',
};

export function isChannelCode(s: string | null | undefined): s is ChannelCode {
  return !!s && (CHANNEL_CODES as readonly string[]).includes(s);
}

/** The label for a stored code; an unknown code is shown as stored rather than hidden. */
export function channelLabel(code: string | null | undefined): string {
  if (!code) return '--';
  return isChannelCode(code) ? CHANNEL_LABEL[code] : code;
}
