// A real ICBC notification (API gateway test environment), through the adapter's
// parseNotification with ICBC's test gateway public key.
//
// Sources (data copied, no code):
//  - the notification: a public GitHub PHP file, class Callback in namespace wjgsxty\icbc\wechat
//    (the search index gave its text, not its repository name), which keeps the exact string
//    ICBC signed — notify path "//callback/icbc" (the merchant registered a URL ending in
//    "//callback/icbc"), api /api/cardbusiness/aggregatepay/b2c/online/consumepurchase/V1,
//    app_id 11000000000000000901, a 交易失败 notification of 2023-09-19 13:21:52, sign_type RSA —
//    and its signature. In the PHP single-quoted literal the signature's "/" are written "\/";
//    PHP's base64_decode skips the backslashes, so they are dropped here.
//  - the key: the API gateway test key shipped in ICBC's SDK examples, e.g. springwindyike/QrcodePay
//    app/libs/example/com/icbc/api/MybankAccountMobileCurrentaccapplyV1Test.java (APIGW_PUBLIC_KEY).
// It verifies as SHA1withRSA (the notify sample: "目前上行网关签名暂时仅支持RSA") and only over the
// registered notify path.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeForm } from '../../../src/gateways/common/crypto';
import { icbcAdapter } from '../../../src/gateways/icbc/adapter';
import { keyPair } from '../channel-keys';

const TEST_APIGW_PUBLIC_KEY = 'MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCwFgHD4kzEVPdOj03ctKM7KV+16bWZ5BMNgvEeuEQwfQYkRVwI9HFOGkwNTMn5hiJXHnlXYCX+zp5r6R52MY0O7BsTCLT7aHaxsANsvI9ABGx3OaTVlPB59M6GPbJh0uXvio0m1r/lTW3Z60RU6Q3oid/rNhP3CiNgg0W6O3AGqwIDAQAB';
const PROD_APIGW_PUBLIC_KEY = 'MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCMpjaWjngB4E3ATh+G1DVAmQnIpiPEFAEDqRfNGAVvvH35yDetqewKi0l7OEceTMN1C6NPym3zStvSoQayjYV+eIcZERkx31KhtFu9clZKgRTyPjdKMIth/wBtPKjL/5+PYalLdomM4ONthrPgnkN4x4R0+D4+EBpXo8gNiAFsNwIDAQAB';
const NOTIFY_PATH = '//callback/icbc';
const FIELDS = {
  api: '/api/cardbusiness/aggregatepay/b2c/online/consumepurchase/V1',
  app_id: '11000000000000000901',
  biz_content: '{"access_type":"9","attach":"","bank_disc_amt":"0","card_flag":"","card_kind":"","card_no":"","coupon_amt":"0","cust_id":"","decr_flag":"","ecoupon_amt":"0","mer_disc_amt":"0","mer_id":"100159932969","msg_id":"050258363262818132041002547","open_id":"","order_id":"100159932969000522309190000065","out_trade_no":"20230919111830181","pay_time":"20231025000001","pay_type":"9","payment_amt":"1","point_amt":"0","return_code":"1","return_msg":"交易失败","third_party_coupon_amt":"0","third_party_discount_amt":"0","third_trade_no":"","total_amt":"1","total_disc_amt":"0"}',
  charset: 'UTF-8',
  format: 'json',
  from: 'icbc-api',
  sign_type: 'RSA',
  timestamp: '2023-09-19 13:21:52',
  sign: 'bUvdKAPYn+C9eCG5mIROfpsFvchRyVHxyaViFSkK9JQqMdjfKzWeP86ay47H4o6u0Q4v4ugpTOmu1RGbtd4ndnZn0wY23FwwvdUjhxZVeK9XXEWSuzRtAt//s1fsWsxUjNR3AHBVnMaiSki/NDSWpOsclueMs0h1Oy8d6JRbASI=',
};

const pem = (b64: string) => `-----BEGIN PUBLIC KEY-----\n${b64.match(/.{1,64}/g)!.join('\n')}\n-----END PUBLIC KEY-----\n`;
const dir = mkdtempSync(path.join(tmpdir(), 'icbc-notify-'));
const merchant = keyPair();
writeFileSync(path.join(dir, 'mer.pem'), merchant.privateKey);
writeFileSync(path.join(dir, 'test-gw.pem'), pem(TEST_APIGW_PUBLIC_KEY));
writeFileSync(path.join(dir, 'prod-gw.pem'), pem(PROD_APIGW_PUBLIC_KEY));

const adapter = (o: { notifyPath?: string; key?: string; appId?: string; merId?: string } = {}) => icbcAdapter({
  url: 'https://gw.open.icbc.com.cn', appId: o.appId ?? FIELDS.app_id, merId: o.merId ?? '100159932969', merPrtclNo: '1001599329690201',
  privateKeyFile: path.join(dir, 'mer.pem'), icbcPublicKeyFile: path.join(dir, o.key ?? 'test-gw.pem'), signType: 'RSA2', notifyPath: o.notifyPath ?? NOTIFY_PATH,
});
// Arriving on whatever path our proxy forwards it on: only the registered notify path counts.
const raw = (f: Record<string, string>) => ({ method: 'POST', path: '/pay/notify/icbc', headers: { 'content-type': 'application/x-www-form-urlencoded' }, rawBody: encodeForm(f) });

describe('a real ICBC notification (test environment, sign_type RSA)', () => {
  it('passes the signature and merchant checks; ICBC says 交易失败, so nothing is credited and it is acknowledged', () => {
    const r = adapter().parseNotification(raw(FIELDS));
    expect(r).toMatchObject({ verified: false, reason: 'unsupported', claimedOrderNo: '20230919111830181' });
    // Acknowledged in ICBC's dialect, signed RSA2 with the merchant key, echoing ICBC's msg_id.
    expect(r.nack.body).toMatch(/^\{"response_biz_content":\{"return_code":0,"return_msg":"success","msg_id":"050258363262818132041002547"\},"sign_type":"RSA2","sign":"/);
  });

  it('a tampered copy, another notify path, another gateway key or another merchant is refused', () => {
    const tampered = [
      { ...FIELDS, biz_content: FIELDS.biz_content.replace('"return_code":"1"', '"return_code":"0"') },
      { ...FIELDS, biz_content: FIELDS.biz_content.replace('"total_amt":"1"', '"total_amt":"100"') },
      { ...FIELDS, timestamp: '2023-09-19 13:21:53' },
      { ...FIELDS, sign_type: 'RSA2' },
      { ...FIELDS, sign: FIELDS.sign.replace('bUvd', 'bUve') },
    ];
    for (const f of tampered) expect(adapter().parseNotification(raw(f)), JSON.stringify(f).slice(0, 80)).toMatchObject({ verified: false, reason: 'signature' });
    expect(adapter({ notifyPath: '/callback/icbc' }).parseNotification(raw(FIELDS))).toMatchObject({ verified: false, reason: 'signature' });
    expect(adapter({ key: 'prod-gw.pem' }).parseNotification(raw(FIELDS))).toMatchObject({ verified: false, reason: 'signature' });
    expect(adapter({ merId: '020001040157' }).parseNotification(raw(FIELDS))).toMatchObject({ verified: false, reason: 'merchant' });
  });
});
