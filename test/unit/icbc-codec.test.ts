import { describe, expect, it } from 'vitest';
import { rsaSign } from '../../src/gateways/common/crypto';
import { encodeForm, parseFormStrict } from '../../src/gateways/common/crypto';
import { signedAnswer, signedNotifyAnswer, sign, signingString, verify, verifyAnswer, verifyNotifyAnswer } from '../../src/gateways/icbc/codec';
import { AMOUNTS, FEN_OF, keyPair } from './channel-keys';

const mer = keyPair();
const gw = keyPair();

describe('ICBC open platform signing (jian1098/icbc-sdk src/IcbcSignature.php, src/WebUtils.php)', () => {
  it('signs PATH?sorted params without sign and empty values, in the sign_type the fields name', () => {
    const f = { app_id: '10000000000004095503', msg_id: 'm1', format: 'json', charset: 'UTF-8', sign_type: 'RSA2', timestamp: '2020-02-14 20:59:24', biz_content: '{"amount":"24999"}', ca: '' };
    expect(signingString('/ui/cardbusiness/epaypc/consumption/V1', f)).toBe(
      '/ui/cardbusiness/epaypc/consumption/V1?app_id=10000000000004095503&biz_content={"amount":"24999"}&charset=UTF-8&format=json&msg_id=m1&sign_type=RSA2&timestamp=2020-02-14 20:59:24',
    );
    const s = sign('/p', f, mer.privateKey);
    expect(verify('/p', s, mer.publicKey, 'RSA2')).toBe(true);
    expect(verify('/other', s, mer.publicKey, 'RSA2')).toBe(false);
    // RSA2 is SHA256withRSA: the same bytes under SHA1 do not verify, and a message claiming
    // another type than the expected one is refused outright.
    expect(s.sign).toBe(rsaSign(signingString('/p', f), mer.privateKey, 'RSA-SHA256'));
    expect(verify('/p', { ...s, sign_type: 'RSA' }, mer.publicKey, 'RSA')).toBe(false);
    expect(verify('/p', s, mer.publicKey, 'RSA')).toBe(false);
    const rsa = sign('/p', { ...f, sign_type: 'RSA' }, mer.privateKey);
    expect(rsa.sign).toBe(rsaSign(signingString('/p', { ...f, sign_type: 'RSA' }), mer.privateKey, 'RSA-SHA1'));
    expect(verify('/p', rsa, mer.publicKey, 'RSA')).toBe(true);
    expect(() => sign('/p', { ...f, sign_type: 'CA' }, mer.privateKey)).toThrow(/RSA or RSA2/);
  });

  it('keeps fen amounts and Chinese through the form post of a notification (sign_type RSA)', () => {
    for (const a of AMOUNTS) {
      const s = sign('/pay/notify/icbc', { sign_type: 'RSA', biz_content: JSON.stringify({ total_amt: FEN_OF[a], goods_name: '平台缴费 医疗保险' }) }, gw.privateKey);
      const got = parseFormStrict(encodeForm(s))!;
      expect(verify('/pay/notify/icbc', got, gw.publicKey, 'RSA')).toBe(true);
      expect((JSON.parse(got.biz_content!) as { total_amt: string }).total_amt).toBe(FEN_OF[a]);
    }
  });

  it('gateway answers are SHA1withRSA over the response_biz_content text as sent', () => {
    const body = signedAnswer({ return_code: 0, pay_status: '0', total_amt: '909995' }, gw.privateKey);
    const text = '{"return_code":0,"pay_status":"0","total_amt":"909995"}';
    expect(body).toBe(`{"response_biz_content":${text},"sign":"${rsaSign(text, gw.privateKey, 'RSA-SHA1')}"}`);
    const v = verifyAnswer(body, gw.publicKey);
    expect(v.ok && v.biz.total_amt).toBe('909995');
    expect(verifyAnswer(body.replace('909995', '909996'), gw.publicKey).ok).toBe(false);
    // An answer signed SHA256 (what the old codec expected) is not ICBC's: refused.
    const sha256 = `{"response_biz_content":${text},"sign":"${rsaSign(text, gw.privateKey, 'RSA-SHA256')}"}`;
    expect(verifyAnswer(sha256, gw.publicKey)).toEqual({ ok: false, reason: 'signature' });
  });

  it('the merchant notify answer carries and is signed in the app\'s registered sign type', () => {
    for (const t of ['RSA', 'RSA2'] as const) {
      const ack = signedNotifyAnswer({ return_code: 0, return_msg: 'success', msg_id: 'm1' }, mer.privateKey, t);
      expect(ack.startsWith(`{"response_biz_content":{"return_code":0,"return_msg":"success","msg_id":"m1"},"sign_type":"${t}","sign":"`)).toBe(true);
      expect(verifyNotifyAnswer(ack, mer.publicKey, t)).toEqual({ return_code: 0, return_msg: 'success', msg_id: 'm1' });
      expect(verifyNotifyAnswer(ack, gw.publicKey, t)).toBeNull();
      expect(verifyNotifyAnswer(ack, mer.publicKey, t === 'RSA' ? 'RSA2' : 'RSA')).toBeNull();
    }
  });
});
