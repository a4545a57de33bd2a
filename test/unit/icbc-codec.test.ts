import { describe, expect, it } from 'vitest';
import { encodeForm, parseFormStrict } from '../../src/gateways/common/crypto';
import { signedAnswer, signedNotifyAnswer, sign, signingString, verify, verifyAnswer, verifyNotifyAnswer } from '../../src/gateways/icbc/codec';
import { AMOUNTS, FEN_OF, keyPair } from './channel-keys';

const mer = keyPair();
const gw = keyPair();

describe('ICBC open platform signing', () => {
  it('signs PATH?sorted params without sign and empty values', () => {
    const f = { app_id: '10000000000004095503', msg_id: 'm1', format: 'json', charset: 'UTF-8', sign_type: 'RSA2', timestamp: '2020-02-14 20:59:24', biz_content: '{"amount":"24999"}', ca: '' };
    expect(signingString('/ui/cardbusiness/epaypc/consumption/V1', f)).toBe(
      '/ui/cardbusiness/epaypc/consumption/V1?app_id=10000000000004095503&biz_content={"amount":"24999"}&charset=UTF-8&format=json&msg_id=m1&sign_type=RSA2&timestamp=2020-02-14 20:59:24',
    );
    const s = sign('/p', f, mer.privateKey);
    expect(verify('/p', s, mer.publicKey)).toBe(true);
    expect(verify('/other', s, mer.publicKey)).toBe(false);
  });

  it('keeps fen amounts and Chinese through the form post', () => {
    for (const a of AMOUNTS) {
      const s = sign('/notify/icbc', { sign_type: 'RSA2', biz_content: JSON.stringify({ total_amt: FEN_OF[a], goods_name: '平台缴费 医疗保险' }) }, gw.privateKey);
      const got = parseFormStrict(encodeForm(s))!;
      expect(verify('/notify/icbc', got, gw.publicKey)).toBe(true);
      expect((JSON.parse(got.biz_content!) as { total_amt: string }).total_amt).toBe(FEN_OF[a]);
    }
  });

  it('verifies gateway answers and the merchant notify answer over the text as sent', () => {
    const body = signedAnswer({ return_code: 0, pay_status: '0', total_amt: '909995' }, gw.privateKey);
    const v = verifyAnswer(body, gw.publicKey);
    expect(v.ok && v.biz.total_amt).toBe('909995');
    expect(verifyAnswer(body.replace('909995', '909996'), gw.publicKey).ok).toBe(false);
    const ack = signedNotifyAnswer({ return_code: 0, return_msg: 'success', msg_id: 'm1' }, mer.privateKey);
    expect(ack).toMatch(/^\{"response_biz_content":\{"return_code":0,"return_msg":"success","msg_id":"m1"\},"sign_type":"RSA2","sign":"/);
    expect(verifyNotifyAnswer(ack, mer.publicKey)).toEqual({ return_code: 0, return_msg: 'success', msg_id: 'm1' });
    expect(verifyNotifyAnswer(ack, gw.publicKey)).toBeNull();
  });
});
