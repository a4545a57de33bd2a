// The card and wallet channels together: their shared timeout and fees, which channels each
// category offers, and each channel's own settings (one file per channel beside this one).
import { z } from 'zod';
import { parseChannelList, type ChannelCode } from '../../domain/channels';
import { alipayConfig, alipayEnv, type AlipayConfig } from './alipay';
import { channelDefaults } from './defaults';
import { icbcConfig, icbcEnv, type IcbcConfig } from './icbc';
import { unionpayConfig, unionpayEnv, type UnionpayConfig } from './unionpay';
import { checkWechatVerifiable, wechatConfig, wechatEnv, type WechatConfig } from './wechat';

export { alipayEnv, icbcEnv, unionpayEnv, wechatEnv };

const yuan = () => z.string().regex(/^(0|[1-9]\d{0,5})(\.\d{1,2})?$/, 'must be a yuan amount with at most two decimals').default('0.00');

export const channelCommonEnv = {
  /** Per request to any card/wallet channel. */
  CHANNEL_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  /** 手续费 per channel (yuan, two decimals), shown on 缴费信息确认及支付方式选择 and added to 总金额. */
  FEE_NONTAX: yuan(),
  FEE_ICBC: yuan(),
  FEE_WECHAT: yuan(),
  FEE_ALIPAY: yuan(),
  FEE_UNIONPAY: yuan(),
};

/** A comma list of channel ids for a category: known, not repeated, able to carry its money. */
function channelList(category: '财政' | '代收') {
  return z.string().superRefine((v, ctx) => {
    const r = parseChannelList(v, category);
    if (!r.ok) ctx.addIssue({ code: 'custom', message: r.message });
  });
}

export const channelListEnv = {
  /** Which channels serve 财政 and 代收 items, in the order 支付方式 lists them. */
  CHANNELS_FISCAL: channelList('财政').default('nontax'),
  CHANNELS_COLLECTED: channelList('代收').default('icbc,wechat'),
};

export interface ChannelsConfig {
  alipay: AlipayConfig;
  wechat: WechatConfig;
  unionpay: UnionpayConfig;
  icbc: IcbcConfig;
}

type ChannelsEnv = z.infer<z.ZodObject<typeof alipayEnv & typeof wechatEnv & typeof unionpayEnv & typeof icbcEnv & typeof channelCommonEnv & typeof channelListEnv>> & { NODE_ENV: string };

export function channelsByCategory(e: ChannelsEnv): Record<'财政' | '代收', ChannelCode[]> {
  return {
    财政: (parseChannelList(e.CHANNELS_FISCAL, '财政') as { ids: ChannelCode[] }).ids,
    代收: (parseChannelList(e.CHANNELS_COLLECTED, '代收') as { ids: ChannelCode[] }).ids,
  };
}

export function channelFees(e: ChannelsEnv): Record<string, string> {
  return { nontax: e.FEE_NONTAX, icbc: e.FEE_ICBC, wechat: e.FEE_WECHAT, alipay: e.FEE_ALIPAY, unionpay: e.FEE_UNIONPAY };
}

/** The card and wallet channels; every key file defaults to the sandbox's own, under DATA_DIR/sandbox. */
export function channelConfig(e: ChannelsEnv, dataDir: string, sandboxUrl: string, publicUrl: string): ChannelsConfig {
  const d = channelDefaults(dataDir, sandboxUrl, e.CHANNEL_TIMEOUT_MS);
  checkWechatVerifiable(e);
  return {
    alipay: alipayConfig(e, d),
    wechat: wechatConfig(e, d),
    unionpay: unionpayConfig(e, d, sandboxUrl),
    icbc: icbcConfig(e, d, publicUrl),
  };
}
