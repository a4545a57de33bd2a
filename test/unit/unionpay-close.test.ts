// UnionPay has no close for an unpaid order: it stays payable until payTimeout. A query answering
// "processing" (origRespCode 03/04/05: 交易已受理，请稍后查询交易结果) or "no such transaction"
// (respCode 34) is therefore never "closed" before the expiry. Answers signed as UnionPay signs
// them (a sandbox-issued chain: signPubKeyCert under the configured root and middle).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtureKeyPair } from '../helpers/fixture-keys';
import { Decimal } from '../../src/domain/money';
import { compactDateTime } from '../../src/gateways/common/crypto';
import type { ChannelOrder } from '../../src/gateways/types';
import { unionpayAdapter } from '../../src/gateways/unionpay/adapter';
import { formatAcpResponse, sign, type Fields } from '../../src/gateways/unionpay/codec';
import { ensureUnionpayPki, SANDBOX_PFX_PASSWORD } from '../../src/sandbox/unionpay/pki';

const dir = mkdtempSync(path.join(tmpdir(), 'unionpay-close-'));
const pki = ensureUnionpayPki(dir, '69629715588', fixtureKeyPair);
const MER = '777290058110048';
const answer = (f: Fields) => formatAcpResponse(sign({ version: '5.1.0', encoding: 'UTF-8', signMethod: '01', accessType: '0', merId: MER, ...f, signPubKeyCert: pki.signing().certPem }, pki.signing().keyPem));
// One adapter answered with whatever `answering` holds: each adapter reads the merchant .pfx once,
// and reading one (PKCS#12 key derivation in node-forge) costs more than a case's checks.
let answering = '';
const oneAdapter = unionpayAdapter({
  url: 'http://gateway.invalid', fileUrl: 'http://file.invalid/', merId: MER, signCertFile: path.join(dir, 'unionpay-merchant.pfx'), signCertPassword: SANDBOX_PFX_PASSWORD,
  rootCertFile: path.join(dir, 'unionpay-root.cer'), middleCertFile: path.join(dir, 'unionpay-middle.cer'), validateCnName: true,
}, (async () => new Response(answering)) as typeof fetch);
const adapter = (body: Fields) => {
  answering = answer(body);
  return oneAdapter;
};

const order = (expiresInMin: number): ChannelOrder => ({
  orderNo: 'XF261202LUT000009', total: new Decimal('249.99'), category: '代收', createdAt: new Date(Date.now() - 60_000), expiresAt: new Date(Date.now() + expiresInMin * 60_000),
  payer: { number: '1', name: '张三', mobile: '13800000000' }, lines: [], subject: 'x', channelOrderId: 'XF261202LUT000009', notifyUrl: 'http://school/n', returnUrl: 'http://school/r',
});
const head = (o: ChannelOrder) => ({ txnType: '00', txnSubType: '00', bizType: '000000', orderId: o.orderNo, txnTime: compactDateTime(o.createdAt) });

describe('UnionPay close() and query() never call a live attempt closed', () => {
  for (const code of ['03', '04', '05']) {
    it(`origRespCode ${code}: still processing → unpaid; close answers open until the expiry`, async () => {
      const o = order(15);
      const a = adapter({ ...head(o), respCode: '00', respMsg: '成功[0000000]', origRespCode: code, origRespMsg: '交易已受理，请稍后查询交易结果' });
      expect(await a.query(o)).toEqual({ status: 'unpaid' });
      expect(await a.close(o)).toEqual({ status: 'open', until: o.expiresAt });
    });
  }

  it('respCode 34 (查无此交易): not_found, and open until the expiry; closed only once past it', async () => {
    const live = order(15);
    expect(await adapter({ ...head(live), respCode: '34', respMsg: '查无此交易' }).query(live)).toEqual({ status: 'not_found' });
    expect(await adapter({ ...head(live), respCode: '34', respMsg: '查无此交易' }).close(live)).toEqual({ status: 'open', until: live.expiresAt });
    // A minute past payTimeout is within the clock grace (EXPIRY_GRACE_MS): still open.
    const justPast = order(-1);
    expect(await adapter({ ...head(justPast), respCode: '34', respMsg: '查无此交易' }).close(justPast)).toEqual({ status: 'open', until: justPast.expiresAt });
    const past = order(-3);
    expect(await adapter({ ...head(past), respCode: '34', respMsg: '查无此交易' }).close(past)).toEqual({ status: 'closed' });
  });

  it('paid: close answers paid with the payment', async () => {
    const o = order(15);
    const c = await adapter({ ...head(o), txnType: '01', txnSubType: '01', respCode: '00', origRespCode: '00', txnAmt: '24999', queryId: '512212021030000000001', traceTime: '1202103000' }).close(o);
    expect(c.status).toBe('paid');
    if (c.status === 'paid') expect(c.event.amount.toFixed(2)).toBe('249.99');
  });

  it('an answer whose signPubKeyCert is not under our root is refused as uncertain', async () => {
    const other = ensureUnionpayPki(mkdtempSync(path.join(tmpdir(), 'unionpay-other-')), '69629715588', fixtureKeyPair);
    const o = order(15);
    const forged = formatAcpResponse(sign({ version: '5.1.0', signMethod: '01', merId: MER, ...head(o), respCode: '34', signPubKeyCert: other.signing().certPem }, other.signing().keyPem));
    answering = forged;
    await expect(oneAdapter.close(o)).rejects.toMatchObject({ uncertain: true, message: expect.stringContaining('chain') });
  });
});
