// The keys WeChat Pay may sign an answer or a notification with, by the id Wechatpay-Serial
// names: the configured WeChat Pay public key (PUB_KEY_ID_…) and the platform certificates
// downloaded from GET /v3/certificates, both at once. wechatpay-java's README requires this
// during the migration from certificates to the public key (RSACombinedNotificationConfig:
// "正在进行微信支付平台证书到微信支付公私钥的灰度切换，希望保持切换兼容"), and a certificate
// rotation needs it too: WeChat lists the new certificate next to the old before it signs with
// it. Refreshing follows wechatpay-java's AutoCertificateService (a download at start, then every
// 60 minutes; UPDATE_INTERVAL_MINUTE = 60), plus a download before a certificate expires and one
// when a message names a serial we do not know, at most once per short interval, so a flood of
// forged serials cannot turn into a flood of downloads.
//
// Everything a notification needs is kept in memory: parseNotification stays synchronous and
// only triggers a refresh in the background.
import type { PlatformCertificate } from './codec';

export interface VerifierSetOptions {
  /** Public-key mode: PUB_KEY_ID_… and its PEM (read lazily); null when not configured. */
  publicKey: null | (() => { id: string; pem: string });
  /** Certificate mode: downloads and decrypts /v3/certificates; null when off. */
  download: null | (() => Promise<PlatformCertificate[]>);
  now?: () => number;
  /** wechatpay-java AutoCertificateService: 60 minutes. */
  refreshEveryMs?: number;
  /** A certificate expiring within this is replaced ahead of time. */
  renewBeforeMs?: number;
  /** At most one download per this interval on unknown serials. */
  unknownSerialIntervalMs?: number;
}

export function verifierSet(o: VerifierSetOptions) {
  const now = o.now ?? Date.now;
  const refreshEveryMs = o.refreshEveryMs ?? 60 * 60_000;
  const renewBeforeMs = o.renewBeforeMs ?? 24 * 3600_000;
  const unknownIntervalMs = o.unknownSerialIntervalMs ?? 10_000;
  let certs = new Map<string, PlatformCertificate>();
  let loadedAt = -Infinity;
  let attemptedAt = -Infinity;
  let lastUnknownAt = -Infinity;
  let inflight: Promise<void> | null = null;
  let again = false;
  let lastError: string | null = null;

  function publicKey(): { id: string; pem: string } | null {
    if (!o.publicKey) return null;
    try {
      return o.publicKey();
    } catch {
      return null;
    }
  }

  /** Valid now: certificates inside their effective/expire window, and the public key. */
  function keys(extra: PlatformCertificate[] = []): Record<string, string> {
    const t = now();
    const out: Record<string, string> = {};
    for (const c of [...certs.values(), ...extra]) {
      if (c.effectiveTime.getTime() <= t + 300_000 && t < c.expireTime.getTime()) out[c.serialNo] = c.publicKeyPem;
    }
    const pk = publicKey();
    if (pk) out[pk.id] = pk.pem;
    return out;
  }

  /** One download at a time; a request for another while one runs is served right after it. */
  function refresh(): Promise<void> {
    if (!o.download) return Promise.resolve();
    if (inflight) {
      again = true;
      return inflight;
    }
    const run = async (): Promise<void> => {
      attemptedAt = now();
      try {
        const list = await o.download!();
        // Certificates that left the list but are still valid are kept until they expire: a
        // notification signed with one may still be on its way.
        const next = new Map(list.map((c) => [c.serialNo, c] as const));
        for (const [serial, c] of certs) if (!next.has(serial) && c.expireTime.getTime() > now()) next.set(serial, c);
        certs = next;
        loadedAt = now();
        lastError = null;
      } catch (e) {
        lastError = (e as Error).message;
      }
      if (again) {
        again = false;
        return run();
      }
    };
    inflight = run().finally(() => { inflight = null; });
    return inflight;
  }

  const stale = () => {
    const t = now();
    // A download that failed is not retried by every call: once per unknown-serial interval.
    if (lastError !== null && t - attemptedAt < Math.max(unknownIntervalMs, 1000)) return false;
    if (t - loadedAt >= refreshEveryMs) return true;
    return [...certs.values()].some((c) => c.expireTime.getTime() - t < renewBeforeMs);
  };

  return {
    keys,
    refresh,
    get lastError() { return lastError; },
    /**
     * Before a call: the first time (certificate mode) the download is awaited, so the first
     * answer can be verified; afterwards a stale set is refreshed in the background.
     */
    async ready(): Promise<void> {
      if (!o.download) return;
      // Awaited only until a first attempt was made: a channel that does not answer
      // /v3/certificates must not delay every call (the public key may be all it uses).
      if (attemptedAt === -Infinity) return refresh();
      if (inflight && loadedAt === -Infinity) return inflight;
      if (stale()) void refresh();
    },
    /** A message named a serial we do not know: download again, at most once per interval. */
    unknownSerial(): Promise<void> {
      if (!o.download) return Promise.resolve();
      const t = now();
      if (t - lastUnknownAt < unknownIntervalMs) return inflight ?? Promise.resolve();
      lastUnknownAt = t;
      return refresh();
    },
    /**
     * The Wechatpay-Serial a request carries: the public key id when one is configured, else the
     * certificate that stays valid longest, as wechatpay-java's AbstractVerifier.getSerialNumber
     * and AutoCertificateService.getAvailableCertificate choose it.
     */
    serial(): string | null {
      const pk = publicKey();
      if (pk) return pk.id;
      let best: PlatformCertificate | null = null;
      const t = now();
      for (const c of certs.values()) if (t < c.expireTime.getTime() && (!best || c.expireTime > best.expireTime)) best = c;
      return best?.serialNo ?? null;
    },
  };
}

export type VerifierSet = ReturnType<typeof verifierSet>;
