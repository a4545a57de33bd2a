// Which adapter serves which channel, and which channels a category offers (图12 / 图20):
// 财政 items are paid only through the provincial non-tax platform (payee 甘肃省财政厅);
// 代收 items through ICBC and WeChat Pay (payee the university), built by the channels issue.
import type { Config } from '../config';
import type { Category } from '../domain/payment-selection';
import { alipayAdapter } from './alipay/adapter';
import { icbcAdapter } from './icbc/adapter';
import { nontaxAdapter } from './nontax/adapter';
import { unionpayAdapter } from './unionpay/adapter';
import { wechatAdapter } from './wechat/adapter';
import { CHANNEL_LABEL, type ChannelAdapter, type ChannelChoice, type ChannelId } from './types';

const BY_CATEGORY: Record<Category, ChannelId[]> = {
  财政: ['nontax'],
  代收: ['icbc', 'wechat'],
};

export interface GatewayRegistry {
  get(id: string): ChannelAdapter | null;
  choicesFor(category: Category): ChannelChoice[];
  /** The channel may carry this category's money: an order never leaves through the wrong payee. */
  serves(id: string, category: Category): boolean;
}

export function createGatewayRegistry(config: Pick<Config, 'nontax'> & Partial<Pick<Config, 'channels'>>, extra: ChannelAdapter[] = []): GatewayRegistry {
  const adapters = new Map<string, ChannelAdapter>([['nontax', nontaxAdapter(config.nontax)]]);
  // 代收 channels (issue 5). Alipay and UnionPay are registered too, so that their notifications,
  // queries, closes and refunds reach an adapter, but no category offers them to the wizard:
  // under 财政 the payer reaches them through the non-tax cashier.
  if (config.channels) {
    adapters.set('icbc', icbcAdapter(config.channels.icbc));
    adapters.set('wechat', wechatAdapter(config.channels.wechat));
    adapters.set('alipay', alipayAdapter(config.channels.alipay));
    adapters.set('unionpay', unionpayAdapter(config.channels.unionpay));
  }
  for (const a of extra) adapters.set(a.id, a);
  return {
    get: (id) => adapters.get(id) ?? null,
    choicesFor: (category) => BY_CATEGORY[category].map((id) => ({ id, label: CHANNEL_LABEL[id], available: adapters.has(id) })),
    serves: (id, category) => (BY_CATEGORY[category] as string[]).includes(id) && adapters.has(id),
  };
}
