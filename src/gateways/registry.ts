// Which adapter serves which channel, and which channels a category offers, from configuration
// (CHANNELS_FISCAL, CHANNELS_COLLECTED; default 财政 → 非税支付, 代收 → 中国工商银行 / 微信支付 as
// 图12 / 图20 show). 财政 items can only be paid through the provincial non-tax platform (payee
// 甘肃省财政厅); 代收 items through the university's own merchant accounts (CAN_SERVE).
//
// Two circles. A *configured* channel is offered by the wizard, reconciled by the daily job and
// allowed as a form target by the CSP. Every channel the deployment has settings for is also
// *built*: get() finds it, so that an attempt already sent to a channel that was since removed
// from the lists is still queried, closed, refunded and credited from its notifications (the
// payment service routes a notification of an unconfigured channel only while attempts at it
// exist). Money already at a channel is never orphaned by a configuration change.
import type { Config } from '../config';
import { CHOICE_LABEL, type ChannelCode } from '../domain/channels';
import type { Category } from '../domain/payment-selection';
import { alipayAdapter } from './alipay/adapter';
import { icbcAdapter } from './icbc/adapter';
import { nontaxAdapter } from './nontax/adapter';
import { unionpayAdapter } from './unionpay/adapter';
import { wechatAdapter } from './wechat/adapter';
import type { ChannelAdapter, ChannelChoice, ChannelId } from './types';

/** The lists of the default configuration, for callers that pass no channelsByCategory. */
export const DEFAULT_CHANNELS: Record<Category, ChannelCode[]> = { 财政: ['nontax'], 代收: ['icbc', 'wechat'] };

export interface GatewayRegistry {
  /** Any built adapter, configured or not: for settling attempts already at that channel. */
  get(id: string): ChannelAdapter | null;
  choicesFor(category: Category): ChannelChoice[];
  /** The channel may carry this category's money: an order never leaves through the wrong payee. */
  serves(id: string, category: Category): boolean;
  /** Offered by some category in this deployment's configuration. */
  isConfigured(id: string): boolean;
  /** The configured channels, each once, 财政's first, in list order. */
  configured(): ChannelId[];
}

export function createGatewayRegistry(
  config: Pick<Config, 'nontax'> & Partial<Pick<Config, 'channels' | 'channelsByCategory'>>,
  extra: ChannelAdapter[] = [],
): GatewayRegistry {
  const byCategory = config.channelsByCategory ?? DEFAULT_CHANNELS;
  const adapters = new Map<string, ChannelAdapter>([['nontax', nontaxAdapter(config.nontax)]]);
  if (config.channels) {
    adapters.set('icbc', icbcAdapter(config.channels.icbc));
    adapters.set('wechat', wechatAdapter(config.channels.wechat));
    adapters.set('alipay', alipayAdapter(config.channels.alipay));
    adapters.set('unionpay', unionpayAdapter(config.channels.unionpay));
  }
  for (const a of extra) adapters.set(a.id, a);
  const configured = [...new Set([...byCategory.财政, ...byCategory.代收])] as ChannelId[];
  return {
    get: (id) => adapters.get(id) ?? null,
    choicesFor: (category) => byCategory[category].map((id) => ({ id, label: CHOICE_LABEL[id], available: adapters.has(id) })),
    serves: (id, category) => (byCategory[category] as string[]).includes(id) && adapters.has(id),
    isConfigured: (id) => (configured as string[]).includes(id),
    configured: () => configured.filter((id) => adapters.has(id)),
  };
}
