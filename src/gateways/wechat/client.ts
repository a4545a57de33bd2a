// One signed API v3 request and its verified answer. Every request carries the Authorization
// signature and Wechatpay-Serial; every 2xx answer is verified by its Wechatpay-* headers against
// the key its Wechatpay-Serial names (./verifiers.ts) before a byte of it is believed.
// Status before signature, as wechatpay-java's core/.../http/AbstractHttpClient.java
// validateResponse does: an answer outside 2xx is an error JSON {code, message} read by its code
// and never verified (WeChat may not sign it: an unsigned 404 ORDER_NOT_EXIST is "not found", not
// a forged answer); 5xx and timeouts are uncertain (channelFetch).
import { channelFetch, lazyPems, rsaSign } from '../common/crypto';
import { ChannelError } from '../types';
import { authorization, parseCertificatesAnswer, verifySigned, type PlatformCertificate } from './codec';
import { verifierSet } from './verifiers';

export interface WechatConfig {
  /** API base, e.g. https://api.mch.weixin.qq.com */
  url: string;
  appId: string;
  mchId: string;
  /** Serial number of the merchant API certificate (serial_no in Authorization). */
  merchantSerialNo: string;
  privateKeyFile: string;
  /** A file holding the 32-character APIv3 key. */
  apiV3KeyFile: string;
  /** WeChat Pay public key id PUB_KEY_ID_… (or a pinned certificate serial) and its PEM file; '' = none. */
  platformKeyId: string;
  platformPublicKeyFile: string;
  /** auto: download platform certificates from /v3/certificates and keep them fresh; off: never. */
  platformCerts?: 'auto' | 'off';
  timeoutMs?: number;
  /** The origin every H5 h5_url must have (wx.tenpay.com at WeChat); the API's own origin when not given. */
  h5Origin?: string;
  /** The official account (公众号) whose 网页授权 gives JSAPI the payer's openid; no JSAPI without it. */
  officialAccount?: { secretFile: string; oauthUrl: string; snsUrl: string } | null;
}

export interface WechatAdapterOptions {
  /** The clock for the 5-minute replay window and certificate validity (tests replaying old vectors). */
  now?: () => number;
  /** At most one certificate download per this interval on unknown serials (default 10 s). */
  unknownSerialIntervalMs?: number;
}

export interface WechatCallAnswer { status: number; doc: Record<string, unknown>; code: string }

export interface WechatClient {
  now: () => number;
  verifiers: ReturnType<typeof verifierSet>;
  /** Whether a WeChat Pay public key is configured (platformKeyId not empty). */
  hasPublicKey: boolean;
  apiV3Key(): string;
  call(method: 'GET' | 'POST', pathWithQuery: string, body?: string): Promise<WechatCallAnswer>;
  /** The headers a file download carries: signed like a request, with the serial we verify with. */
  downloadHeaders(url: string): Record<string, string>;
  /** SHA256withRSA with the merchant key, base64 (JSAPI's paySign). */
  merchantSign(message: string): string;
}

type Answer = { status: number; doc: Record<string, unknown>; text: string; headers: Record<string, string> };

export function wechatClient(cfg: WechatConfig, fetchImpl: typeof fetch, opts: WechatAdapterOptions): WechatClient {
  const now = opts.now ?? Date.now;
  const keys = lazyPems('wechat', { privateKey: cfg.privateKeyFile, apiV3Key: cfg.apiV3KeyFile });
  const publicKeyPem = cfg.platformKeyId ? lazyPems('wechat', { pem: cfg.platformPublicKeyFile }) : null;
  const apiV3Key = () => keys().apiV3Key.trim();
  const verifiers = verifierSet({
    publicKey: publicKeyPem ? () => ({ id: cfg.platformKeyId, pem: publicKeyPem().pem }) : null,
    download: cfg.platformCerts === 'off' ? null : downloadCertificates,
    now, unknownSerialIntervalMs: opts.unknownSerialIntervalMs,
  });
  const sign = (method: 'GET' | 'POST', u: URL, body: string) =>
    authorization({ mchid: cfg.mchId, serialNo: cfg.merchantSerialNo, privateKeyPem: keys().privateKey }, method, u.pathname + u.search, body, String(Math.floor(now() / 1000)));

  async function exchange(method: 'GET' | 'POST', pathWithQuery: string, body: string | undefined): Promise<Answer> {
    const url = `${cfg.url}${pathWithQuery}`;
    const auth = sign(method, new URL(url), body ?? '');
    const serial = verifiers.serial();
    const r = await channelFetch('wechat', `${method} ${pathWithQuery}`, url, {
      method, body: body ?? undefined, timeoutMs: cfg.timeoutMs,
      headers: {
        Authorization: auth, Accept: 'application/json', ...(body ? { 'Content-Type': 'application/json' } : {}), 'User-Agent': 'campus-pay',
        // The SDKs send the serial of the key they verify with (wechatpay-java AbstractHttpClient
        // adds WECHAT_PAY_SERIAL = validator.getSerialNumber() to every request).
        ...(serial ? { 'Wechatpay-Serial': serial } : {}),
      },
    }, fetchImpl);
    const headers: Record<string, string> = {};
    r.headers.forEach((value, key) => { headers[key] = value; });
    let doc: Record<string, unknown> = {};
    if (r.text) {
      try {
        const parsed: unknown = JSON.parse(r.text);
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) doc = parsed as Record<string, unknown>;
      } catch {
        // An unreadable 2xx is refused below; an unreadable 4xx keeps its status and no code.
        if (r.status >= 200 && r.status < 300) throw new ChannelError(`wechat ${pathWithQuery}: unreadable answer (HTTP ${r.status})`, true);
      }
    }
    return { status: r.status, doc, text: r.text, headers };
  }

  /** A 2xx must verify; an unknown serial is looked up once (a rotation) before it is refused. */
  async function verified(a: Answer, what: string, extra: PlatformCertificate[] = []) {
    let v = verifySigned(a.headers, a.text, verifiers.keys(extra), now());
    if (!v.ok && v.reason === 'unknown_key') {
      await verifiers.unknownSerial();
      v = verifySigned(a.headers, a.text, verifiers.keys(extra), now());
    }
    if (!v.ok) throw new ChannelError(`wechat ${what}: answer failed verification (${v.reason})`, true);
  }

  async function call(method: 'GET' | 'POST', pathWithQuery: string, body?: string): Promise<WechatCallAnswer> {
    await verifiers.ready();
    const a = await exchange(method, pathWithQuery, body);
    if (a.status >= 200 && a.status < 300) await verified(a, pathWithQuery);
    return { status: a.status, doc: a.doc, code: typeof a.doc.code === 'string' ? a.doc.code : '' };
  }

  /**
   * GET /v3/certificates, signed like any request. Its answer is verified with the keys we hold
   * plus the certificates it carries (wechatpay-go's downloader verifies later downloads with the
   * downloaded certificates; the AEAD under the APIv3 key is what authenticates a first one).
   * 404 NOT_FOUND: no certificates, the merchant has moved to the public key (wechatpay-java
   * CertificateDownloader: "如果证书不存在，可能是切换为平台公钥，该处不报错").
   */
  async function downloadCertificates(): Promise<PlatformCertificate[]> {
    const a = await exchange('GET', '/v3/certificates', undefined);
    if (a.status === 404) return [];
    if (a.status !== 200) throw new ChannelError(`wechat certificates: HTTP ${a.status} ${String(a.doc.code ?? '')}`, true);
    const list = parseCertificatesAnswer(a.text, apiV3Key());
    if (!list) throw new ChannelError('wechat certificates: a certificate does not decrypt or is not the one listed', true);
    const v = verifySigned(a.headers, a.text, verifiers.keys(list), now());
    if (!v.ok) throw new ChannelError(`wechat certificates: answer failed verification (${v.reason})`, true);
    return list;
  }

  function downloadHeaders(url: string): Record<string, string> {
    const auth = sign('GET', new URL(url), '');
    const serial = verifiers.serial();
    // wechatpay-java AbstractHttpClient.download: Authorization, Accept */*, Wechatpay-Serial.
    return { Authorization: auth, Accept: '*/*', ...(serial ? { 'Wechatpay-Serial': serial } : {}) };
  }

  return { now, verifiers, hasPublicKey: publicKeyPem !== null, apiV3Key, call, downloadHeaders, merchantSign: (message) => rsaSign(message, keys().privateKey) };
}
