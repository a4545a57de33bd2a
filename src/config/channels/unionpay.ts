// UnionPay's settings: merchant, the signing .pfx and the chain each message is checked against.
import { z } from 'zod';
import { bool, ConfigError } from '../fields';
import type { ChannelDefaults } from './defaults';

export const unionpayEnv = {
  UNIONPAY_URL: z.string().url().optional(),
  UNIONPAY_MER_ID: z.string().regex(/^\d{15}$/, 'must be 15 digits').default('777290058110048'),
  /** The serial (decimal) the sandbox gives the merchant certificate it issues; the adapter reads certId from the .pfx. */
  UNIONPAY_CERT_ID: z.string().regex(/^\d{1,40}$/, 'must be the certificate serial in decimal').default('69629715588'),
  /** The file-download host (acpsdk.fileTransUrl), e.g. https://filedownload.95516.com/ */
  UNIONPAY_FILE_URL: z.string().url().optional(),
  /** The merchant signing key UnionPay issues: a .pfx (PKCS#12) and its password. */
  UNIONPAY_SIGN_CERT_FILE: z.string().min(1).optional(),
  UNIONPAY_SIGN_CERT_PASSWORD: z.string().min(1, '银联签名证书密码不能为空').optional(),
  /** UnionPay's root and middle certificates, against which each message's signPubKeyCert is checked. */
  UNIONPAY_ROOT_CERT_FILE: z.string().min(1).optional(),
  UNIONPAY_MIDDLE_CERT_FILE: z.string().min(1).optional(),
  /** acpsdk.ifValidateCNName: off only against UnionPay's test environment (CN 00040000:SIGN). */
  UNIONPAY_VALIDATE_CN_NAME: bool.default(true),
};

type UnionpayEnv = z.infer<z.ZodObject<typeof unionpayEnv>> & { NODE_ENV: string };

export interface UnionpayConfig {
  url: string; fileUrl: string; merId: string; certId: string; signCertFile: string; signCertPassword: string;
  rootCertFile: string; middleCertFile: string; validateCnName: boolean; timeoutMs: number;
}

export function unionpayConfig(e: UnionpayEnv, d: ChannelDefaults, sandboxUrl: string): UnionpayConfig {
  return {
    url: d.url(e.UNIONPAY_URL, 'unionpay'), fileUrl: e.UNIONPAY_FILE_URL ?? `${sandboxUrl.replace(/\/$/, '')}/unionpay/filedownload/`,
    merId: e.UNIONPAY_MER_ID, certId: e.UNIONPAY_CERT_ID,
    signCertFile: d.key(e.UNIONPAY_SIGN_CERT_FILE, 'unionpay-merchant.pfx'), signCertPassword: unionpaySignPassword(e),
    rootCertFile: d.key(e.UNIONPAY_ROOT_CERT_FILE, 'unionpay-root.cer'), middleCertFile: d.key(e.UNIONPAY_MIDDLE_CERT_FILE, 'unionpay-middle.cer'),
    validateCnName: e.UNIONPAY_VALIDATE_CN_NAME, timeoutMs: d.timeoutMs,
  };
}

/** The sandbox's merchant .pfx uses 000000 (as UnionPay's acp_test_sign.pfx does); a real .pfx comes with its own password. */
function unionpaySignPassword(e: UnionpayEnv): string {
  // Talking to the real gateway, the sandbox's files would verify nothing: say so at start.
  if (e.UNIONPAY_URL && e.NODE_ENV === 'production') {
    for (const k of ['UNIONPAY_SIGN_CERT_FILE', 'UNIONPAY_ROOT_CERT_FILE', 'UNIONPAY_MIDDLE_CERT_FILE', 'UNIONPAY_FILE_URL'] as const) {
      if (!e[k]) throw new ConfigError(`配置错误 ${k}: required in production when UNIONPAY_URL is set`);
    }
  }
  if (e.UNIONPAY_SIGN_CERT_PASSWORD) return e.UNIONPAY_SIGN_CERT_PASSWORD;
  if (e.UNIONPAY_SIGN_CERT_FILE) throw new ConfigError('配置错误 UNIONPAY_SIGN_CERT_PASSWORD: 设置 UNIONPAY_SIGN_CERT_FILE 时必须提供证书密码');
  return '000000';
}
