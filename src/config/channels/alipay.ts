// Alipay's settings: app and seller, the key pair, and the optional 公钥证书 mode.
import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../fields';
import type { ChannelDefaults } from './defaults';

export const alipayEnv = {
  /** Card and wallet channels: gateway URLs default to the sandbox, keys to the sandbox's under DATA_DIR/sandbox. */
  ALIPAY_URL: z.string().url().optional(),
  ALIPAY_APP_ID: z.string().regex(/^\d{16}$/, 'must be 16 digits').default('2021000000000001'),
  ALIPAY_SELLER_ID: z.string().regex(/^2088\d{12}$/, 'must be a 2088… PID').default('2088000000000001'),
  ALIPAY_PRIVATE_KEY_FILE: z.string().min(1).optional(),
  ALIPAY_PUBLIC_KEY_FILE: z.string().min(1).optional(),
  // 公钥证书 mode: all three set (appCertPublicKey_<appid>.crt, alipayCertPublicKey_RSA2.crt, alipayRootCert.crt), or none.
  ALIPAY_APP_CERT_FILE: z.string().min(1).optional(),
  ALIPAY_PUBLIC_CERT_FILE: z.string().min(1).optional(),
  ALIPAY_ROOT_CERT_FILE: z.string().min(1).optional(),
};

type AlipayEnv = z.infer<z.ZodObject<typeof alipayEnv>>;

export interface AlipayConfig {
  url: string; appId: string; sellerId: string; privateKeyFile: string; alipayPublicKeyFile: string;
  certFiles?: { appCert: string; alipayPublicCert: string; alipayRootCert: string };
  timeoutMs: number;
}

export function alipayConfig(e: AlipayEnv, d: ChannelDefaults): AlipayConfig {
  return { url: d.url(e.ALIPAY_URL, 'alipay'), appId: e.ALIPAY_APP_ID, sellerId: e.ALIPAY_SELLER_ID, privateKeyFile: d.key(e.ALIPAY_PRIVATE_KEY_FILE, 'alipay-merchant-private.pem'), alipayPublicKeyFile: d.key(e.ALIPAY_PUBLIC_KEY_FILE, 'alipay-platform-public.pem'), ...alipayCertFiles(e), timeoutMs: d.timeoutMs };
}

/** 支付宝公钥证书 mode is on when its three certificate files are configured; two of three is a mistake. */
function alipayCertFiles(e: AlipayEnv): { certFiles?: { appCert: string; alipayPublicCert: string; alipayRootCert: string } } {
  const given = [e.ALIPAY_APP_CERT_FILE, e.ALIPAY_PUBLIC_CERT_FILE, e.ALIPAY_ROOT_CERT_FILE];
  if (given.every((x) => x === undefined)) return {};
  if (given.some((x) => x === undefined)) {
    throw new ConfigError('配置错误 ALIPAY_APP_CERT_FILE / ALIPAY_PUBLIC_CERT_FILE / ALIPAY_ROOT_CERT_FILE: 公钥证书模式需同时配置三个证书文件');
  }
  return { certFiles: { appCert: path.resolve(e.ALIPAY_APP_CERT_FILE!), alipayPublicCert: path.resolve(e.ALIPAY_PUBLIC_CERT_FILE!), alipayRootCert: path.resolve(e.ALIPAY_ROOT_CERT_FILE!) } };
}
