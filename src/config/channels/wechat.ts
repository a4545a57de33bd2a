// WeChat Pay's settings: merchant, API v3 key, and how its answers are verified.
import { z } from 'zod';
import { bool, ConfigError } from '../fields';
import type { ChannelDefaults } from './defaults';

export const wechatEnv = {
  WECHAT_URL: z.string().url().optional(),
  WECHAT_APP_ID: z.string().regex(/^wx[0-9a-f]{16}$/, 'must be wx + 16 hex').default('wx0000000000000001'),
  WECHAT_MCH_ID: z.string().regex(/^\d{8,10}$/, 'must be 8-10 digits').default('1900000001'),
  WECHAT_MERCHANT_SERIAL_NO: z.string().regex(/^[0-9A-F]{8,40}$/, 'must be the certificate serial in hex').default('3775B6A45ACD588826D15E583A95F5DD00000001'),
  WECHAT_PRIVATE_KEY_FILE: z.string().min(1).optional(),
  WECHAT_APIV3_KEY_FILE: z.string().min(1).optional(),
  /** '' turns the public-key mode off (platform certificates only). */
  WECHAT_PLATFORM_KEY_ID: z.string().regex(/^(PUB_KEY_ID_\d+|[0-9A-F]{8,40}|)$/, 'must be PUB_KEY_ID_…, a certificate serial, or empty').default('PUB_KEY_ID_0119000000012025000000000001'),
  /** auto: download the platform certificates from /v3/certificates and keep them fresh, beside the public key. */
  WECHAT_PLATFORM_CERTS: z.enum(['auto', 'off'], { message: 'must be auto or off' }).default('auto'),
  WECHAT_PLATFORM_KEY_FILE: z.string().min(1).optional(),
  /** Where 微信支付 H5's h5_url sends a phone (a form target of 确定缴费): wx.tenpay.com with a real WECHAT_URL. */
  WECHAT_H5_ORIGIN: z.string().url().optional(),
  /**
   * JSAPI inside WeChat's own browser: it needs the payer's openid, which only the school's
   * official account (公众号, the AppID in WECHAT_APP_ID, bound to the merchant) can get by 网页授权.
   * Off by default; on, it needs the account's AppSecret in WECHAT_OA_SECRET_FILE.
   */
  WECHAT_JSAPI: bool.default(false),
  WECHAT_OA_SECRET_FILE: z.string().min(1).optional(),
  /** 网页授权's host (open.weixin.qq.com) and the sns API's (api.weixin.qq.com); the sandbox by default. */
  WECHAT_OAUTH_URL: z.string().url().optional(),
  WECHAT_SNS_URL: z.string().url().optional(),
};

type WechatEnv = z.infer<z.ZodObject<typeof wechatEnv>>;

export interface WechatConfig {
  url: string; appId: string; mchId: string; merchantSerialNo: string; privateKeyFile: string; apiV3KeyFile: string;
  platformKeyId: string; platformPublicKeyFile: string; platformCerts: 'auto' | 'off'; timeoutMs: number;
  /** The origin every h5_url must have: the payer is sent nowhere else. */
  h5Origin: string;
  /** JSAPI's official account, when WECHAT_JSAPI is on. */
  officialAccount: OfficialAccountConfig | null;
}

export interface OfficialAccountConfig {
  /** A file holding the 公众号's AppSecret (for sns/oauth2/access_token). */
  secretFile: string;
  oauthUrl: string;
  snsUrl: string;
}

/** Checks that something can verify WeChat Pay; the channel settings call it before any other channel's. */
export function checkWechatVerifiable(e: WechatEnv): void {
  if (!e.WECHAT_PLATFORM_KEY_ID && e.WECHAT_PLATFORM_CERTS === 'off') throw new ConfigError('配置错误 WECHAT_PLATFORM_CERTS: with WECHAT_PLATFORM_KEY_ID empty nothing could verify WeChat Pay (turn one on)');
}

export function wechatConfig(e: WechatEnv, d: ChannelDefaults): WechatConfig {
  return {
    url: d.url(e.WECHAT_URL, 'wechat'), appId: e.WECHAT_APP_ID, mchId: e.WECHAT_MCH_ID, merchantSerialNo: e.WECHAT_MERCHANT_SERIAL_NO,
    privateKeyFile: d.key(e.WECHAT_PRIVATE_KEY_FILE, 'wechat-merchant-private.pem'), apiV3KeyFile: d.key(e.WECHAT_APIV3_KEY_FILE, 'wechat-apiv3.key'),
    platformKeyId: e.WECHAT_PLATFORM_KEY_ID, platformPublicKeyFile: d.key(e.WECHAT_PLATFORM_KEY_FILE, 'wechat-platform-public.pem'), platformCerts: e.WECHAT_PLATFORM_CERTS, timeoutMs: d.timeoutMs,
    // WeChat's h5_url is on wx.tenpay.com ("https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=…&package=…",
    // the 示例值 of WeChat's API page as kept in JeffreySu/WeiXinMPSDK
    // src/Senparc.Weixin.TenPay/Senparc.Weixin.ServiceProviderTenPayV3/Apis/BasePayApis/Entities/ReturnJson/CombineH5OrderReturnJson.cs);
    // the sandbox's is on the sandbox.
    h5Origin: new URL(e.WECHAT_H5_ORIGIN ?? (e.WECHAT_URL ? 'https://wx.tenpay.com' : d.url(undefined, 'wechat'))).origin,
    officialAccount: e.WECHAT_JSAPI ? {
      // A real WECHAT_URL means WeChat's own hosts; the sandbox plays them otherwise.
      secretFile: d.key(e.WECHAT_OA_SECRET_FILE, 'wechat-oa-secret'),
      oauthUrl: d.url(e.WECHAT_OAUTH_URL ?? (e.WECHAT_URL ? 'https://open.weixin.qq.com' : undefined), 'wechat'),
      snsUrl: d.url(e.WECHAT_SNS_URL ?? (e.WECHAT_URL ? 'https://api.weixin.qq.com' : undefined), 'wechat'),
    } : null,
  };
}
