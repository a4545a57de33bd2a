// A real answer of ICBC's production API gateway (gw.open.icbc.com.cn), checked by the adapter
// exactly as it checks every answer, with ICBC's production gateway public key.
//
// Sources (data copied, no code):
//  - the answer: a public GitHub file com/cwww/icbc/SignDemo.java (package com.cwww.icbc, class
//    SignDemo, dated 2018/11/12), which keeps the gateway's reply to an unregistered app id:
//    {"response_biz_content":{"return_code":400011,"return_msg":"app id is not registered",
//    "msg_id":"87933msg"},"sign":"I21yn…"}. The search index this was found with gave the file's
//    text but not its repository name; it is the only repository of package com.cwww.icbc there.
//  - the key: ICBC's production APIGW public key, as the ICBC SDK's merchants keep it in many
//    public files beside the test key (one of them comments the pair "测试 MIGfMA0…AQAB /
//    生产 MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCMpjaW…AQAB"); the test key shipped in the SDK's
//    examples (springwindyike/QrcodePay app/libs/example/com/icbc/api/*Test.java, APIGW_PUBLIC_KEY
//    "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCwFgHD…") does not verify it, as it should not.
// The signature verifies as SHA1withRSA (IcbcConstants.SIGN_TYPE_RSA, as DefaultIcbcClient
// verifies answers: jian1098/icbc-sdk src/DefaultIcbcClient.php) and not as SHA256withRSA.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../../src/domain/money';
import { rsaVerify } from '../../../src/gateways/common/crypto';
import { icbcAdapter } from '../../../src/gateways/icbc/adapter';
import { verifyAnswer } from '../../../src/gateways/icbc/codec';
import { keyPair } from '../channel-keys';

const PROD_APIGW_PUBLIC_KEY = 'MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCMpjaWjngB4E3ATh+G1DVAmQnIpiPEFAEDqRfNGAVvvH35yDetqewKi0l7OEceTMN1C6NPym3zStvSoQayjYV+eIcZERkx31KhtFu9clZKgRTyPjdKMIth/wBtPKjL/5+PYalLdomM4ONthrPgnkN4x4R0+D4+EBpXo8gNiAFsNwIDAQAB';
const TEST_APIGW_PUBLIC_KEY = 'MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCwFgHD4kzEVPdOj03ctKM7KV+16bWZ5BMNgvEeuEQwfQYkRVwI9HFOGkwNTMn5hiJXHnlXYCX+zp5r6R52MY0O7BsTCLT7aHaxsANsvI9ABGx3OaTVlPB59M6GPbJh0uXvio0m1r/lTW3Z60RU6Q3oid/rNhP3CiNgg0W6O3AGqwIDAQAB';
const ANSWER = '{"response_biz_content":{"return_code":400011,"return_msg":"app id is not registered","msg_id":"87933msg"},"sign":"I21ynAn9REv2z+8ssELiTXb7REatdHlXXj+U4WcRZnOQpSL6FRTYfYNJVyRCb62l1iRS2TkjjpEFhMhdDMWeFHc/zSQDD0P36wlRk87u7exDMigrJJyVFe6+TJX0LnHhobtMwxPRZfUjhHxnubRH7yUtLjMpwwCVY3G3AzPS5UI="}';

const pem = (b64: string) => `-----BEGIN PUBLIC KEY-----\n${b64.match(/.{1,64}/g)!.join('\n')}\n-----END PUBLIC KEY-----\n`;
const TAMPERED = [
  ANSWER.replace('400011', '0'),
  ANSWER.replace('87933msg', '87934msg'),
  ANSWER.replace('"app id is not registered"', '"app id is not registered "'),
  ANSWER.replace('I21yn', 'I21ym'),
];

describe('a real ICBC gateway answer (SignDemo.java, package com.cwww.icbc)', () => {
  it('verifies with the production gateway key, SHA1withRSA, through the answer verifier', () => {
    const v = verifyAnswer(ANSWER, pem(PROD_APIGW_PUBLIC_KEY));
    expect(v).toEqual({ ok: true, biz: { return_code: 400011, return_msg: 'app id is not registered', msg_id: '87933msg' } });
    // What the old codec did (SHA256) would have refused ICBC's own answer.
    const text = '{"return_code":400011,"return_msg":"app id is not registered","msg_id":"87933msg"}';
    const sig = (JSON.parse(ANSWER) as { sign: string }).sign;
    expect(rsaVerify(text, sig, pem(PROD_APIGW_PUBLIC_KEY), 'RSA-SHA1')).toBe(true);
    expect(rsaVerify(text, sig, pem(PROD_APIGW_PUBLIC_KEY), 'RSA-SHA256')).toBe(false);
  });

  it('a tampered copy, or another gateway key, is refused', () => {
    for (const t of TAMPERED) expect(verifyAnswer(t, pem(PROD_APIGW_PUBLIC_KEY)).ok, t).toBe(false);
    expect(verifyAnswer(ANSWER, pem(TEST_APIGW_PUBLIC_KEY))).toEqual({ ok: false, reason: 'signature' });
  });

  it('through the adapter\'s contract: the verified answer is read as ICBC\'s refusal, a tampered one as an unverified answer', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'icbc-vector-'));
    const merchant = keyPair();
    writeFileSync(path.join(dir, 'mer.pem'), merchant.privateKey);
    writeFileSync(path.join(dir, 'gw.pem'), pem(PROD_APIGW_PUBLIC_KEY));
    const adapterWith = (body: string) => icbcAdapter({
      url: 'https://gw.open.icbc.com.cn', appId: '10000000000000087933', merId: '020001040157', merPrtclNo: '0200010401570201',
      privateKeyFile: path.join(dir, 'mer.pem'), icbcPublicKeyFile: path.join(dir, 'gw.pem'), signType: 'RSA2', notifyPath: '/pay/notify/icbc',
    }, (async () => new Response(body, { status: 200, headers: { 'content-type': 'application/json;charset=UTF-8' } })) as typeof fetch);
    const order = {
      orderNo: 'DS20181112000001', total: new Decimal('1.00'), category: '代收' as const, createdAt: new Date(), expiresAt: new Date(Date.now() + 900_000),
      payer: { number: '1', name: '张三', mobile: '13800000000' }, lines: [], subject: '测试', notifyUrl: 'https://x/pay/notify/icbc', returnUrl: 'https://x/r', channelOrderId: 'DS20181112000001',
    };
    // A positive return_code is a business refusal: the refund is refused, not "uncertain".
    expect(await adapterWith(ANSWER).refund(order, new Decimal('1.00'), 'TF2018111200000001')).toEqual({ status: 'failed', reason: '400011 app id is not registered' });
    await expect(adapterWith(ANSWER).query(order)).rejects.toMatchObject({ message: 'icbc query: 400011 app id is not registered', uncertain: true });
    for (const t of TAMPERED) {
      await expect(adapterWith(t).refund(order, new Decimal('1.00'), 'TF2018111200000001')).rejects.toMatchObject({ message: expect.stringContaining('answer failed verification'), uncertain: true });
    }
  });
});
