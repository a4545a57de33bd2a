// 公钥证书 mode against the official Node SDK's own fixtures and expected values:
// alipay/alipay-sdk-nodejs-all test/antcertutil.test.ts (commit e1676390871eb7a69b4f81aa15de8327ac15738a)
// expects, for test/fixtures/appCertPublicKey_2021001161683774.crt, alipayCertPublicKey_RSA2.crt
// and alipayRootCert.crt:
//   appCertSnVal          866efef280dec9137a87d047ac446315
//   alipayPublicCertSnVal 7513daaaa48aa3ba2e4018d84402479c
//   rootCertSnVal         687b59193f3f462dd5336e5abf83c5d8_02941eef3187dddf3d3b83462e1dfcf6
//   publicKeyVal          the base64 SPKI below.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { alipayAdapter } from '../../../src/gateways/alipay/adapter';
import { certPublicKey, certSn, rootCertSn } from '../../../src/gateways/alipay/cert';
import { verifyRequest } from '../../../src/gateways/alipay/codec';
import { Decimal } from '../../../src/domain/money';
import { keyPair } from '../channel-keys';
import { ALIPAY_CERT, ALIPAY_ROOT_CERT, APP_CERT } from './alipay-fixtures';
import { tempFiles } from '../../helpers/temp-files';

const APP_SN = '866efef280dec9137a87d047ac446315';
const ALIPAY_SN = '7513daaaa48aa3ba2e4018d84402479c';
const ROOT_SN = '687b59193f3f462dd5336e5abf83c5d8_02941eef3187dddf3d3b83462e1dfcf6';
const PUBLIC_KEY = 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAhoVesfcGvUv1XvUndmX0rmSZ/2posJBCooySbSVFpV79RtHMzrVz2aKkC3WvOXeT5iNeQK4mK8gp3vNkWrHTkQGx5BcmkeO1WS384CQde7dAS0gmxeFs5bs+cCQqV2A2c2R9/5rJMtFtp1Ot/rIiMBUn6Ei0UoztM7AneavqQEzSwYlCKNhPFFtHCiz7u4O5R9CIyvUmYr+zpem2HXBN9ygPAZ0aXBQipGbc45+G07ZCNsmY4hV/Igya1aBf+Ye8p10Ew8uBBri0sIknhSC2LqKKy2IH1fO6q1d1jhN240QRHvbpRNv60kAfZsEulBASBrCMBi49NiJyr5nre7SNywIDAQAB';

/** The same certificate with one byte of its serial number changed (a forged or different certificate). */
function otherSerial(pem: string): string {
  const body = pem.replace(/-----[^-]+-----|\s/g, '');
  const der = Buffer.from(body, 'base64');
  // Certificate › tbsCertificate › [0] version › serialNumber: the serial's last byte.
  const at = der.indexOf(Buffer.from([0x02, 0x10]), 8) + 2 + 15;
  der[at] = der[at]! ^ 0x01;
  return `-----BEGIN CERTIFICATE-----\n${der.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
}

describe('app_cert_sn, alipay_cert_sn and alipay_root_cert_sn as alipay-sdk-nodejs-all computes them', () => {
  it('the SDK\'s expected values, from its own fixtures', () => {
    expect(certSn(APP_CERT)).toBe(APP_SN);
    expect(certSn(ALIPAY_CERT)).toBe(ALIPAY_SN);
    // The root chain holds SM2 and ECDSA roots too: only the RSA-signed ones count.
    expect(rootCertSn(ALIPAY_ROOT_CERT)).toBe(ROOT_SN);
    expect(certPublicKey(ALIPAY_CERT).replace(/-----[^-]+-----|\s/g, '')).toBe(PUBLIC_KEY);
  });

  it('a certificate whose serial was altered gives another SN', () => {
    expect(certSn(otherSerial(APP_CERT))).not.toBe(APP_SN);
    expect(certSn(otherSerial(ALIPAY_CERT))).not.toBe(ALIPAY_SN);
  });

  it('a cert-mode adapter signs app_cert_sn and alipay_root_cert_sn into its requests', () => {
    const { dir, file } = tempFiles('alipay-cert-');
    const app = keyPair();
    const adapter = alipayAdapter({
      url: 'http://127.0.0.1:9', appId: '2021001161683774', sellerId: '2088831204659217', privateKeyFile: file('app.pem', app.privateKey), alipayPublicKeyFile: path.join(dir, 'unused.pem'),
      certFiles: { appCert: file('app.crt', APP_CERT), alipayPublicCert: file('alipay.crt', ALIPAY_CERT), alipayRootCert: file('root.crt', ALIPAY_ROOT_CERT) },
    });
    const action = adapter.pagePay({
      orderNo: 'XF000000LUT000001', total: new Decimal('0.01'), category: '代收', createdAt: new Date(), expiresAt: new Date(Date.now() + 15 * 60_000),
      payer: { number: '1', name: '张三', mobile: '13800000000' }, lines: [], subject: '兰州理工大学 代收', notifyUrl: 'https://pay.example.edu.cn/pay/notify/alipay', returnUrl: 'https://pay.example.edu.cn/transactions',
    });
    if (action.kind !== 'form') throw new Error('page.pay is a form');
    expect(action.fields.app_cert_sn).toBe(APP_SN);
    expect(action.fields.alipay_root_cert_sn).toBe(ROOT_SN);
    expect(verifyRequest(action.fields, app.publicKey)).toBe(true);
    // Both SNs are under the signature.
    expect(verifyRequest({ ...action.fields, app_cert_sn: APP_SN.replace('8', '9') }, app.publicKey)).toBe(false);
  });
});
