// Real UnionPay 5.1.0 messages signed by UnionPay's test signing certificate, through the adapter's
// public contract (parseNotification; query and refund via the answer verifier the adapter uses).
// Data copied from yansongda/pay (commit cf75a06c7325163a6a86ddca6878cb7b76e713cf):
//  - the back notification: tests/Traits/UnipayTraitTest.php, testVerifyUnipaySign ($contents is the
//    signing string, $sign the signature);
//  - the query answer (origRespCode 00): tests/Provider/UnipayTest.php, testQuery;
//  - the refund answer (txnType 04): tests/Provider/UnipayTest.php, testRefund.
// The certificate expired on 2025-07-31, so each message is verified as of its own txnTime; the
// same messages verified now are refused, as the ACP SDK's checkValidity() would refuse them.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fixtureKeyPair } from '../../helpers/fixture-keys';
import { Decimal } from '../../../src/domain/money';
import { encodeForm, parseShanghai } from '../../../src/gateways/common/crypto';
import type { ChannelOrder } from '../../../src/gateways/types';
import { unionpayAdapter, type UnionpayConfig } from '../../../src/gateways/unionpay/adapter';
import { checkSignCert, cnIdentity, parseAcpResponse, type Fields } from '../../../src/gateways/unionpay/codec';
import { ensureUnionpayPki, SANDBOX_PFX_PASSWORD } from '../../../src/sandbox/unionpay/pki';
import { SIGN_CERT, TEST_MIDDLE, TEST_ROOT } from './unionpay-test-pki';

const NOTIFY_CONTENTS = `accNo=ORRSXWY1kMr8UJNxGx9xKPuO0Uhm8JT8aQV3sWswJfIsj/grkjauH4soyAtiqB9XwQotZOwmUAs/pkMupUkfiX9npdFGGEUEc5gqq+lcEwyD7tLmd2WBzRvcEvvjAKMKwTCFDxmQbIrP48ocIVhPoZ87ZQtQM5MIyJYedrzPRlt6BzRddUPGU1gJwDA8APDx3iyNl8EAfenJw7DUDZimmhbE1VSRmQm/iqgJurI7juq/6ztDHZHv4ys1eN9JYkwhcKxCjsWpwXTSy0PGvDXhsAZsDuNXHsjI8JLhHXvTDaU2+gc289LZPiwpr4Ah/reIuPWrIHubchYm2XTqQlUAaw==&accessType=0&bizType=000201&currencyCode=156&encoding=utf-8&exchangeRate=0&merId=777290058167151&orderId=yansongda20220908132206&queryId=782209081322060674028&respCode=00&respMsg=success&settleAmt=1&settleCurrencyCode=156&settleDate=0908&signMethod=01&signPubKeyCert=${SIGN_CERT}&traceNo=067402&traceTime=0908132206&txnAmt=1&txnSubType=01&txnTime=20220908132206&txnType=01&version=5.1.0`;
const NOTIFY_SIGN = 'JeA4S2+6TbGo9yjXDUvV5A2E3oJbunoCcZ66exN6xR3OH/5PNDK1VSV1Mq7XhVdxzkTeREUveiOYHalqoagRkh71nsHVvruwGbk6azygXSaawuO5tF67UIqNd4Mbufwh1KhbVpEkKbOETUvRhFcdon0fulE97I83eMSk52INHt8E1xk8NdbhyUadSlp+Uv30AKx70PpQbTGmVS3PJfd+Whj0b7LnvZKeC+BS1kUOtIKlcZO+gBoTigvCIJqj51kBrcBCs+x+VaeGm7EYBBhGSERpfQhQ4n+eJBwLdBeZ0/dNbo3iELjvVMx0n9KoW4klvUJhaH5LALA8pV02SbZv4Q==';

const QUERY_ANSWER = `accNo=cDg4jpD9tKxlI4si91lomXcSjQeOyOxEFLmMc9BLmsJrLPMqmN0JIUkJUD1MVYCfpXRsGKFGDwerpR0LylHiKXnB1ZX0zS4OleY2kSvgX6J2X24TPHkY+EKS7F2kfuYW8yHF+OgUEoUqPa/WO/qzigGci3sSGLiD/uCIljuDOfskQdgXYpsQANPmmgqCOC+TqtDSjYfPKZ3o6SbJJSn4lOvUy3FF/re7PFCShVghJVO1XRJFw0d0VNUkhWs2VzdUl1ZwkDVXcFWB39REEOWDHNEBoBgvkfVSb9j6KV7K3gUNXkfqHqk7zBTtg67jAi/kudAN4U1k9Y5UMGj5mVbu2g==&accessType=0&bizType=000000&currencyCode=156&encoding=utf-8&issuerIdentifyMode=0&merId=777290058167151&orderId=pay20240105145046&origRespCode=00&origRespMsg=成功[0000000]&queryId=442401051450467846498&respCode=00&respMsg=成功[0000000]&settleAmt=1&settleCurrencyCode=156&settleDate=0105&signMethod=01&traceNo=784649&traceTime=0105145046&txnAmt=1&txnSubType=01&txnTime=20240105145046&txnType=01&version=5.1.0&signPubKeyCert=${SIGN_CERT}&signature=sEJYCC94bvr5KJ12EVeid6kVoyviipkieSp5I9r7baINMZdTxJZlFLIpqI/58s/QMgQXO7I7W0d//YUYXgR2SxZy0n56df+oTUMiXEchwngF/ksiegh0HndsY9ZdYcfwqzD1repppuKGRhOmFL4oUZFPOdLZ8t6QJEcdpEKh21eZ1+fw+Fd2gAfBaIJTx1fg0ZNarvOh1AeeJu48c399p3DZKYxRX04sg5grr6By0GCE3h8UdmSWRRoEdiT/jMKB+xnSi+JL8x04NXfqbjSJcmMebw5uIZ3Bst93Aa2jR3GgK+52j78Al8AIy4nmI0WncAmxAToMrN6AJZaUpj1S5Q==`;

const REFUND_ANSWER = `accessType=0&bizType=000000&encoding=utf-8&merId=777290058167151&orderId=refundpay20240105165842&origQryId=052401051658427862748&queryId=052401051658427863998&respCode=00&respMsg=成功[0000000]&signMethod=01&txnAmt=1&txnSubType=00&txnTime=20240105165842&txnType=04&version=5.1.0&signPubKeyCert=${SIGN_CERT}&signature=c++EAuubwRkvr2MVyM9zyjbdH3RMRK/L1ttftpJ4fkl4ZSY1BjyRbTj5fx/2+Z/eH4dqPNfFEQt8egVVWhF/k7PaD8tLTaueeUIPwyjnEIWmqNtVbJtzKexCouGc8wtYDHZYxTJTgo6BW7GEgO5xD6Qpxq801Bb9Zto8uhn4BUP4HI7UsxHHIzP9JYhL2cqz2B8gb3AJHpLMEBpYv+Kb3mwq8ZFgpGaieCAFFGGWImUx1+MgCzLFoe3SKlTF13nbr39Cd3AHuDJnbN+uG1N6AwUtLu12Zzq/6SM+/dqiE0v5SpvB/PeRj9KQeiGDRg/ho9larqB+D3y0FjU13EeHng==`;

const dir = mkdtempSync(path.join(tmpdir(), 'unionpay-vectors-'));
writeFileSync(path.join(dir, 'acp_test_root.cer'), TEST_ROOT);
writeFileSync(path.join(dir, 'acp_test_middle.cer'), TEST_MIDDLE);
// Our merchant key (the requests' signature is not what these vectors test): a sandbox-issued .pfx.
ensureUnionpayPki(dir, '69629715588', fixtureKeyPair);

const cfg = (over: Partial<UnionpayConfig> = {}): UnionpayConfig => ({
  url: 'https://gateway.test.95516.com', fileUrl: 'https://filedownload.test.95516.com/', merId: '777290058167151',
  signCertFile: path.join(dir, 'unionpay-merchant.pfx'), signCertPassword: SANDBOX_PFX_PASSWORD,
  rootCertFile: path.join(dir, 'acp_test_root.cer'), middleCertFile: path.join(dir, 'acp_test_middle.cer'), validateCnName: true, ...over,
});
/** Verified as of the message's own txnTime. */
const atTxnTime = (f: Fields) => parseShanghai(f.txnTime ?? '')!;

/** Answers every back request with `body` (the channel side of a replayed exchange). */
const answering = (bodies: Record<string, string>) => (async (url: string | URL | Request) => {
  const api = Object.keys(bodies).find((k) => String(url).includes(k));
  return new Response(api ? bodies[api] : 'not found', { status: api ? 200 : 404 });
}) as typeof fetch;

const order = (orderNo: string, txnTime: string): ChannelOrder => ({
  orderNo, total: new Decimal('0.01'), category: '代收', createdAt: parseShanghai(txnTime)!, expiresAt: new Date(parseShanghai(txnTime)!.getTime() + 15 * 60_000),
  payer: { number: '1', name: '张三', mobile: '13800000000' }, lines: [], subject: 'vector', channelOrderId: orderNo, notifyUrl: 'https://school.example/pay/notify/unionpay', returnUrl: 'https://school.example/transactions',
});

const notification = (contents: string, sig: string) => {
  const f = parseAcpResponse(contents)!;
  return { method: 'POST', path: '/pay/notify/unionpay', headers: { 'content-type': 'application/x-www-form-urlencoded' }, rawBody: encodeForm({ ...f, signature: sig }) };
};

describe('UnionPay test PKI: the message certificate chains to acp_test_middle / acp_test_root', () => {
  it('CN third part 中国银联股份有限公司, valid at the message time, expired now', () => {
    const cert = new X509Certificate(SIGN_CERT);
    expect(cnIdentity(cert)).toBe('中国银联股份有限公司');
    const trust = { root: new X509Certificate(TEST_ROOT), middle: new X509Certificate(TEST_MIDDLE), validateCnName: true };
    expect(checkSignCert(SIGN_CERT, trust, new Date('2024-01-05T06:50:46Z')).ok).toBe(true);
    expect(checkSignCert(SIGN_CERT, trust, new Date())).toEqual({ ok: false, reason: 'expired' });
    // The middle certificate is not a trust anchor of its own: chained to another root, refused.
    expect(checkSignCert(SIGN_CERT, { ...trust, root: new X509Certificate(TEST_MIDDLE) }, new Date('2024-01-05T06:50:46Z'))).toEqual({ ok: false, reason: 'chain' });
  });
});

describe('yansongda/pay tests/Traits/UnipayTraitTest.php: a real back notification', () => {
  it('is verified and credits 0.01 to its orderId; a tampered copy is refused', () => {
    const a = unionpayAdapter(cfg(), fetch, atTxnTime);
    const p = a.parseNotification(notification(NOTIFY_CONTENTS, NOTIFY_SIGN));
    expect(p.verified).toBe(true);
    if (!p.verified || p.event.kind !== 'paid') throw new Error('paid event expected');
    expect(p.event).toMatchObject({ orderNo: 'yansongda20220908132206', channelTradeNo: '782209081322060674028' });
    expect(p.event.amount.toFixed(2)).toBe('0.01');
    expect(p.ack.body).toBe('ok');
    expect(a.parseNotification(notification(NOTIFY_CONTENTS.replace('txnAmt=1&', 'txnAmt=100&'), NOTIFY_SIGN))).toMatchObject({ verified: false, reason: 'signature' });
    expect(a.parseNotification(notification(NOTIFY_CONTENTS, NOTIFY_SIGN.replace('JeA4', 'JeA5')))).toMatchObject({ verified: false, reason: 'signature' });
  });

  it('verified now (the certificate expired 2025-07-31) it is refused; against another root, refused', () => {
    expect(unionpayAdapter(cfg()).parseNotification(notification(NOTIFY_CONTENTS, NOTIFY_SIGN))).toMatchObject({ verified: false, reason: 'signature' });
    const other = mkdtempSync(path.join(tmpdir(), 'unionpay-other-'));
    const pki = ensureUnionpayPki(other, '69629715588', fixtureKeyPair);
    writeFileSync(path.join(other, 'r.cer'), pki.root.certPem);
    writeFileSync(path.join(other, 'm.cer'), pki.middle.certPem);
    const a = unionpayAdapter(cfg({ rootCertFile: path.join(other, 'r.cer'), middleCertFile: path.join(other, 'm.cer') }), fetch, atTxnTime);
    expect(a.parseNotification(notification(NOTIFY_CONTENTS, NOTIFY_SIGN))).toMatchObject({ verified: false, reason: 'signature' });
  });
});

describe('yansongda/pay tests/Provider/UnipayTest.php: real queryTrans and refund answers', () => {
  it('query (origRespCode 00) is a verified payment; a tampered copy is an uncertain error', async () => {
    const o = order('pay20240105145046', '20240105145046');
    const q = await unionpayAdapter(cfg(), answering({ queryTrans: QUERY_ANSWER }), atTxnTime).query(o);
    expect(q.status).toBe('paid');
    if (q.status !== 'paid') return;
    expect(q.event).toMatchObject({ orderNo: 'pay20240105145046', channelTradeNo: '442401051450467846498' });
    expect(q.event.amount.toFixed(2)).toBe('0.01');
    const tampered = QUERY_ANSWER.replace('&txnAmt=1&', '&txnAmt=2&');
    await expect(unionpayAdapter(cfg(), answering({ queryTrans: tampered }), atTxnTime).query(o)).rejects.toMatchObject({ uncertain: true, message: expect.stringContaining('failed verification') });
  });

  it('refund (txnType 04, respCode 00) is accepted with its queryId; a tampered copy is an uncertain error', async () => {
    const o = order('pay20240105145046', '20240105145046');
    const a = unionpayAdapter(cfg(), answering({ queryTrans: QUERY_ANSWER, backTransReq: REFUND_ANSWER }), atTxnTime);
    expect(await a.refund(o, new Decimal('0.01'), 'refundpay20240105165842', parseShanghai('20240105165842')!)).toEqual({ status: 'pending', channelRefundNo: '052401051658427863998' });
    const tampered = REFUND_ANSWER.replace('origQryId=052401051658427862748', 'origQryId=052401051658427862749');
    await expect(unionpayAdapter(cfg(), answering({ queryTrans: QUERY_ANSWER, backTransReq: tampered }), atTxnTime).refund(o, new Decimal('0.01'), 'refundpay20240105165842'))
      .rejects.toMatchObject({ uncertain: true });
  });
});

describe('Xuchengen/demo-pay asset/certs/acp_test_sign.pfx: the ACP demo merchant key', () => {
  it('is read with its password: certId is the signing certificate serial in decimal (68759663125)', async () => {
    const { readPfx } = await import('../../../src/gateways/unionpay/pfx');
    const { ACP_TEST_SIGN_PFX } = await import('./unionpay-test-pki');
    const k = readPfx(ACP_TEST_SIGN_PFX, '000000');
    expect(k.certId).toBe('68759663125');
    expect(new X509Certificate(k.certPem).subject).toContain('700000000000001:SIGN');
    expect(() => readPfx(ACP_TEST_SIGN_PFX, '000001')).toThrow();
  });
});
