// One signed call to Alipay's gateway and its verified answer, with the keys (or, in 公钥证书
// mode, the certificates) read once on first use. Every Alipay operation goes through it.
import { channelFetch, encodeForm, lazyPems } from '../common/crypto';
import { ChannelError } from '../types';
import { certMode, type CertMode } from './cert';
import { signedRequest, verifyResponse } from './codec';

export interface AlipayConfig {
  /** Gateway base, e.g. https://openapi.alipay.com (we append /gateway.do). */
  url: string;
  appId: string;
  /** The merchant's PID (2088…): notifications must name it as seller_id. */
  sellerId: string;
  privateKeyFile: string;
  alipayPublicKeyFile: string;
  /**
   * 公钥证书 mode (./cert.ts): the app's public-key certificate, Alipay's public-key certificate
   * and Alipay's root chain, as downloaded from the console. When given, alipayPublicKeyFile is
   * not used: Alipay's key is the one in its certificate.
   */
  certFiles?: { appCert: string; alipayPublicCert: string; alipayRootCert: string };
  timeoutMs?: number;
}

export type AlipayAnswer = Record<string, unknown>;

export interface AlipayClient {
  /** gateway.do with the charset, where calls go and the cashier form posts. */
  gateway: string;
  keys(): { privateKey: string; alipayPublicKey: string; cert: CertMode | null };
  /** In 公钥证书 mode, the certificate serials every request carries; nothing otherwise. */
  certParams(): { cert?: { appCertSn: string; alipayRootCertSn: string } };
  call(method: string, biz: object, extra?: { notifyUrl?: string }): Promise<AlipayAnswer>;
}

export function alipayClient(cfg: AlipayConfig, fetchImpl: typeof fetch): AlipayClient {
  const pems = cfg.certFiles
    ? lazyPems('alipay', { privateKey: cfg.privateKeyFile, appCert: cfg.certFiles.appCert, alipayPublicCert: cfg.certFiles.alipayPublicCert, alipayRootCert: cfg.certFiles.alipayRootCert })
    : lazyPems('alipay', { privateKey: cfg.privateKeyFile, alipayPublicKey: cfg.alipayPublicKeyFile });
  let derived: { privateKey: string; alipayPublicKey: string; cert: CertMode | null } | null = null;
  const keys = () => {
    if (derived) return derived;
    const p = pems() as Record<string, string>;
    let cert: CertMode | null = null;
    if (cfg.certFiles) {
      try {
        cert = certMode({ appCert: p.appCert!, alipayPublicCert: p.alipayPublicCert!, alipayRootCert: p.alipayRootCert! });
      } catch (e) {
        throw new ChannelError(`alipay certificates not readable: ${(e as Error).message}`);
      }
    }
    derived = { privateKey: p.privateKey!, alipayPublicKey: cert ? cert.alipayPublicKey : p.alipayPublicKey!, cert };
    return derived;
  };
  const gateway = `${cfg.url}/gateway.do?charset=utf-8`;
  const certParams = () => {
    const c = keys().cert;
    return c ? { cert: { appCertSn: c.appCertSn, alipayRootCertSn: c.alipayRootCertSn } } : {};
  };

  async function call(method: string, biz: object, extra: { notifyUrl?: string } = {}): Promise<AlipayAnswer> {
    const k = keys();
    const params = signedRequest({ appId: cfg.appId, method, biz, privateKeyPem: k.privateKey, ...extra, ...certParams() });
    const r = await channelFetch('alipay', method, gateway, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' }, body: encodeForm(params), timeoutMs: cfg.timeoutMs,
    }, fetchImpl);
    const v = verifyResponse(r.text, method, k.alipayPublicKey);
    if (!v.ok) {
      const sn = /"alipay_cert_sn"\s*:\s*"([0-9a-f]+)"/.exec(r.text)?.[1];
      // Alipay signs with the key of the certificate it names; another SN than ours means its
      // certificate was renewed: the new alipayCertPublicKey_RSA2.crt must be installed.
      if (k.cert && sn && sn !== k.cert.alipayCertSn) {
        throw new ChannelError(`alipay ${method}: answer signed under certificate ${sn}, ours is ${k.cert.alipayCertSn} (支付宝公钥证书已更换，请下载新证书)`, true);
      }
      throw new ChannelError(`alipay ${method}: answer failed verification (${v.reason})`, true);
    }
    if (k.cert && v.alipayCertSn && v.alipayCertSn !== k.cert.alipayCertSn) {
      throw new ChannelError(`alipay ${method}: answer names certificate ${v.alipayCertSn}, ours is ${k.cert.alipayCertSn}`, true);
    }
    return v.response;
  }

  return { gateway, keys, certParams, call };
}

export const notFound = (r: AlipayAnswer) => r.sub_code === 'ACQ.TRADE_NOT_EXIST';
// AQC.SYSTEM_ERROR: the spelling some of Alipay's error tables give for the same system error.
const unknownOutcome = (r: AlipayAnswer) => r.code === '20000' || r.sub_code === 'ACQ.SYSTEM_ERROR' || r.sub_code === 'AQC.SYSTEM_ERROR';
/** A refusal as a ChannelError: uncertain when Alipay's own failure leaves the outcome unknown. */
export const refuse = (method: string, r: AlipayAnswer) =>
  new ChannelError(`alipay ${method}: ${String(r.code)} ${String(r.sub_code ?? '')} ${String(r.sub_msg ?? r.msg ?? '')}`.trim(), unknownOutcome(r));
