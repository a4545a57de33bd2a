// The WeChat Pay verifier set: public key and downloaded certificates by serial at once,
// refreshed as wechatpay-java's AutoCertificateService does (every 60 minutes), before a
// certificate expires, and on an unknown serial at most once per interval.
import { describe, expect, it } from 'vitest';
import type { PlatformCertificate } from '../../src/gateways/wechat/codec';
import { verifierSet } from '../../src/gateways/wechat/verifiers';

const H = 3600_000;
const cert = (serialNo: string, from: number, to: number): PlatformCertificate => ({
  serialNo, pem: '', publicKeyPem: `PEM-${serialNo}`, effectiveTime: new Date(from), expireTime: new Date(to),
});

function world(lists: PlatformCertificate[][], publicKey = true) {
  let t = 1_000 * H;
  let calls = 0;
  let release: (() => void) | null = null;
  let hold = false;
  const set = verifierSet({
    publicKey: publicKey ? () => ({ id: 'PUB_KEY_ID_01', pem: 'PEM-PUB' }) : null,
    download: async () => {
      const list = lists[Math.min(calls, lists.length - 1)]!;
      calls++;
      if (hold) await new Promise<void>((r) => { release = r; });
      return list;
    },
    now: () => t, unknownSerialIntervalMs: 10_000,
  });
  return {
    set, calls: () => calls, tick: (ms: number) => { t += ms; }, now: () => t,
    hold: () => { hold = true; }, release: () => { hold = false; release?.(); },
  };
}

describe('WeChat Pay verifier set', () => {
  it('holds the public key and the downloaded certificates at once; the first call waits for the download', async () => {
    const w = world([[cert('AA', 0, 2000 * H)]]);
    expect(Object.keys(w.set.keys())).toEqual(['PUB_KEY_ID_01']);
    await w.set.ready();
    expect(w.set.keys()).toEqual({ AA: 'PEM-AA', PUB_KEY_ID_01: 'PEM-PUB' });
    // Wechatpay-Serial: the public key id when there is one (wechatpay-java AbstractVerifier).
    expect(w.set.serial()).toBe('PUB_KEY_ID_01');
  });

  it('without a public key, names the certificate that stays valid longest; drops expired ones', async () => {
    const w = world([[cert('OLD', 0, 1000 * H + 30 * 60_000), cert('NEW', 0, 5000 * H)]], false);
    await w.set.ready();
    expect(w.set.serial()).toBe('NEW');
    w.tick(H);
    expect(Object.keys(w.set.keys())).toEqual(['NEW']);
  });

  it('refreshes after 60 minutes in the background, and ahead of an expiry', async () => {
    const w = world([[cert('AA', 0, 3000 * H)], [cert('AA', 0, 3000 * H), cert('BB', 0, 4000 * H)]]);
    await w.set.ready();
    w.tick(59 * 60_000);
    await w.set.ready();
    expect(w.calls()).toBe(1);
    w.tick(60_000);
    await w.set.ready();
    await w.set.refresh();
    expect(w.calls()).toBeGreaterThanOrEqual(2);
    expect(Object.keys(w.set.keys()).sort()).toEqual(['AA', 'BB', 'PUB_KEY_ID_01']);
    const soon = world([[cert('AA', 0, 1000 * H + 2 * H)], [cert('AA', 0, 1000 * H + 2 * H), cert('CC', 0, 9000 * H)]]);
    await soon.set.ready();
    await soon.set.ready();
    await soon.set.refresh();
    expect(Object.keys(soon.set.keys())).toContain('CC');
  });

  it('an unknown serial downloads at most once per interval; a request during a download is served after it', async () => {
    const w = world([[cert('AA', 0, 9000 * H)], [cert('AA', 0, 9000 * H), cert('BB', 0, 9000 * H)], [cert('CC', 0, 9000 * H)]]);
    await w.set.ready();
    await w.set.unknownSerial();
    await w.set.unknownSerial();
    await w.set.unknownSerial();
    expect(w.calls()).toBe(2);
    expect(w.set.keys()).toHaveProperty('BB');
    w.tick(10_000);
    w.hold();
    const p = w.set.unknownSerial();
    const q = w.set.refresh();
    w.release();
    await Promise.all([p, q]);
    expect(w.calls()).toBe(4);
    // A certificate that left the list but is still valid is kept: a message signed with it may be on its way.
    expect(Object.keys(w.set.keys()).sort()).toEqual(['AA', 'BB', 'CC', 'PUB_KEY_ID_01']);
  });

  it('a failed download keeps what it had', async () => {
    let fail = false;
    const set = verifierSet({ publicKey: null, download: async () => { if (fail) throw new Error('HTTP 502'); return [cert('AA', 0, Date.now() + H)]; } });
    await set.ready();
    fail = true;
    await set.refresh();
    expect(set.lastError).toBe('HTTP 502');
    expect(Object.keys(set.keys())).toEqual(['AA']);
  });
});

describe('WeChat Pay verifier set when /v3/certificates does not answer', () => {
  it('the first call waits for one attempt; later calls do not each wait for a failing download', async () => {
    let t = 0;
    let calls = 0;
    const set = verifierSet({ publicKey: () => ({ id: 'PUB_KEY_ID_01', pem: 'PEM' }), download: async () => { calls++; throw new Error('HTTP 403 NO_AUTH'); }, now: () => t, unknownSerialIntervalMs: 10_000 });
    await set.ready();
    await set.ready();
    await set.ready();
    expect(calls).toBe(1);
    expect(set.keys()).toEqual({ PUB_KEY_ID_01: 'PEM' });
    t += 10_000;
    await set.ready();
    await set.refresh();
    expect(calls).toBeGreaterThanOrEqual(2);
  });
});
