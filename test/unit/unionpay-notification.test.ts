// The UnionPay back notification through the adapter (parseNotification = the shared skeleton with
// UnionPay's spec): what is credited, what is refused and how UnionPay is answered — HTTP 200 "ok"
// stops its retries, so it is given only to a payment we took and to a genuine result we do not
// credit (a refund's); everything else, and our own trust anchors unreadable, is 400 "fail".
// Signed as the sandbox signs (src/sandbox/unionpay/pki.ts: signPubKeyCert under root and middle).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtureKeyPair } from '../helpers/fixture-keys';
import { encodeForm } from '../../src/gateways/common/crypto';
import type { RawNotification } from '../../src/gateways/types';
import { unionpayAdapter, type UnionpayConfig } from '../../src/gateways/unionpay/adapter';
import { sign, type Fields } from '../../src/gateways/unionpay/codec';
import { ensureUnionpayPki, SANDBOX_PFX_PASSWORD } from '../../src/sandbox/unionpay/pki';

const dir = mkdtempSync(path.join(tmpdir(), 'unionpay-notify-'));
const pki = ensureUnionpayPki(dir, '69629715588', fixtureKeyPair);
const stranger = ensureUnionpayPki(mkdtempSync(path.join(tmpdir(), 'unionpay-stranger-')), '69629715588', fixtureKeyPair);
const MER = '777290058110048';
const cfg = (over: Partial<UnionpayConfig> = {}): UnionpayConfig => ({
  url: 'http://gateway.invalid', fileUrl: 'http://file.invalid/', merId: MER, signCertFile: path.join(dir, 'unionpay-merchant.pfx'), signCertPassword: SANDBOX_PFX_PASSWORD,
  rootCertFile: path.join(dir, 'unionpay-root.cer'), middleCertFile: path.join(dir, 'unionpay-middle.cer'), validateCnName: true, ...over,
});
const adapter = unionpayAdapter(cfg());

const fields: Fields = {
  version: '5.1.0', encoding: 'UTF-8', signMethod: '01', accessType: '0', txnType: '01', txnSubType: '01', bizType: '000201', merId: MER,
  orderId: 'XF2612010001', txnTime: '20261201095900', txnAmt: '909995', currencyCode: '156', queryId: '261201100000123456789',
  traceNo: '123456', traceTime: '1201100000', respCode: '00', respMsg: 'Success!',
};
const signed = (f: Fields, by = pki) => sign({ ...f, signPubKeyCert: by.signing().certPem }, by.signing().keyPem);
const raw = (body: string): RawNotification => ({ method: 'POST', path: '/pay/notify/unionpay', headers: { 'content-type': 'application/x-www-form-urlencoded' }, rawBody: body });
const note = (f: Fields, by = pki) => raw(encodeForm(signed(f, by)));
const OK = { status: 200, body: 'ok' };
const FAIL = { status: 400, body: 'fail' };

describe('UnionPay back notification through the skeleton', () => {
  it('a genuine payment: credited at its traceTime, answered 200 ok; a refusal after it would be 400 fail', () => {
    const p = adapter.parseNotification(note(fields));
    expect(p.verified).toBe(true);
    if (!p.verified || p.event.kind !== 'paid') throw new Error('paid event expected');
    expect(p.event).toMatchObject({ channelOrderId: 'XF2612010001', orderNo: 'XF2612010001', channelTradeNo: '261201100000123456789', payMethod: '银联' });
    expect(p.event.amount.toFixed(2)).toBe('9099.95');
    expect(p.event.paidAt.toISOString()).toBe('2026-12-01T02:00:00.000Z');
    expect(p.ack).toMatchObject(OK);
    expect(p.nack).toMatchObject(FAIL);
  });

  it('a genuine result we do not credit (refund txnType 04, a failed respCode) is unsupported and answered 200 ok', () => {
    for (const f of [{ ...fields, txnType: '04', txnSubType: '00' }, { ...fields, respCode: '01' }]) {
      expect(adapter.parseNotification(note(f))).toMatchObject({ verified: false, reason: 'unsupported', nack: OK, claimedOrderNo: 'XF2612010001' });
    }
  });

  it('refusals are answered 400 fail, with the order number claimed', () => {
    const tampered = raw(encodeForm({ ...signed(fields), txnAmt: '1' }));
    const cases: [string, RawNotification, string][] = [
      ['tampered', tampered, 'signature'],
      ['a certificate outside our root and middle', note(fields, stranger), 'signature'],
      ['another merchant', note({ ...fields, merId: '777290058119999' }), 'merchant'],
      ['a yuan amount', note({ ...fields, txnAmt: '9099.95' }), 'malformed'],
      ['a zero amount', note({ ...fields, txnAmt: '0' }), 'malformed'],
      ['no queryId', note({ ...fields, queryId: '' }), 'malformed'],
      ['unsigned', raw(encodeForm(fields)), 'malformed'],
    ];
    for (const [name, r, reason] of cases) expect(adapter.parseNotification(r), name).toMatchObject({ verified: false, reason, nack: FAIL, claimedOrderNo: 'XF2612010001' });
  });

  it('what is not a form is malformed, with no order number', () => {
    for (const body of ['', '%%%&&==', 'a=1&a=2']) expect(adapter.parseNotification(raw(body))).toMatchObject({ verified: false, reason: 'malformed', nack: FAIL, claimedOrderNo: null });
  });

  it('our root/middle unreadable: recorded unsupported, but never answered ok (UnionPay must send it again)', () => {
    const blind = unionpayAdapter(cfg({ rootCertFile: path.join(dir, 'missing-root.cer') }));
    expect(blind.parseNotification(note(fields))).toMatchObject({ verified: false, reason: 'unsupported', nack: FAIL });
  });
});
