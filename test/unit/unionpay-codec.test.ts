import { createHash, createVerify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodeForm, parseFormStrict } from '../../src/gateways/common/crypto';
import { formatAcpResponse, parseAcpResponse, sign, signingString, verify } from '../../src/gateways/unionpay/codec';
import { AMOUNTS, FEN_OF, keyPair } from './channel-keys';

const mer = keyPair();
const cup = keyPair();

describe('UnionPay 5.1.0 signMethod 01', () => {
  it('signs SHA256withRSA over the SHA-256 hex of the sorted string, without empty values or signature', () => {
    const f = { version: '5.1.0', txnAmt: '24999', orderId: 'XF200216LUT000001', empty: '', signMethod: '01', certId: '68759663125' };
    expect(signingString(f)).toBe('certId=68759663125&orderId=XF200216LUT000001&signMethod=01&txnAmt=24999&version=5.1.0');
    const s = sign(f, mer.privateKey);
    const hex = createHash('sha256').update(signingString(f)).digest('hex');
    expect(createVerify('RSA-SHA256').update(hex).verify(mer.publicKey, s.signature!, 'base64')).toBe(true);
    expect(verify(s, mer.publicKey)).toBe(true);
    expect(verify({ ...s, txnAmt: '24998' }, mer.publicKey)).toBe(false);
    expect(verify({ ...s, signMethod: '02' }, mer.publicKey)).toBe(false);
  });

  it('keeps fen amounts and Chinese text through a form post and an ACP answer', () => {
    for (const a of AMOUNTS) {
      const n = sign({ signMethod: '01', txnAmt: FEN_OF[a]!, reqReserved: '兰州理工大学 医疗保险&{a=b}', respCode: '00' }, cup.privateKey);
      const posted = parseFormStrict(encodeForm(n))!;
      expect(verify(posted, cup.publicKey)).toBe(true);
      expect(posted.txnAmt).toBe(FEN_OF[a]);
      const answer = parseAcpResponse(formatAcpResponse({ ...n, reqReserved: '{commodityName=医疗保险&x=1}' }));
      expect(answer?.reqReserved).toBe('{commodityName=医疗保险&x=1}');
    }
  });
});
