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

/**
 * What each channel is called where the payer chooses it (支付方式 on 图12/图14/图20 and the
 * 代收 choices of 图19): 非税支付, 【支付宝】, 中国工商银行, 微信支付, 【银联支付】. 图23's 交易银行
 * column above uses the shorter names of the bank records.
 */
export const CHOICE_LABEL: Record<ChannelCode, string> = {
  nontax: '非税支付',
  alipay: '支付宝',
  wechat: '微信支付',
  unionpay: '银联支付',
  icbc: '中国工商银行',
};

/**
 * Which channels can carry each category's money at all. 财政 items are paid to 甘肃省财政厅 and
 * only the provincial non-tax platform collects for it (its cashier offers 支付宝/微信/银联 inside
 * it); 代收 items are paid to the university through its own merchant accounts. Configuration
 * (CHANNELS_FISCAL, CHANNELS_COLLECTED) chooses among these, never beyond them.
 */
export const CAN_SERVE: Record<'财政' | '代收', readonly ChannelCode[]> = {
  财政: ['nontax'],
  代收: ['icbc', 'wechat', 'alipay', 'unionpay'],
};

/**
 * Parses a comma list of channel ids for a category ("icbc,wechat"); the error is one plain line.
 * Order is kept: it is the order of the 支付方式 list.
 */
export function parseChannelList(value: string, category: '财政' | '代收'): { ok: true; ids: ChannelCode[] } | { ok: false; message: string } {
  const ids = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (!ids.length) return { ok: false, message: `must list at least one channel of ${CAN_SERVE[category].join(', ')}` };
  const seen = new Set<string>();
  for (const id of ids) {
    if (!isChannelCode(id)) return { ok: false, message: `unknown channel "${id}" (known: ${CHANNEL_CODES.join(', ')})` };
    if (seen.has(id)) return { ok: false, message: `channel "${id}" is listed twice` };
    if (!CAN_SERVE[category].includes(id)) return { ok: false, message: `channel "${id}" cannot serve ${category} items (only ${CAN_SERVE[category].join(', ')})` };
    seen.add(id);
  }
  return { ok: true, ids: ids as ChannelCode[] };
}
