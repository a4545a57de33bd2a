// Our SN computation against the official Node SDK's own (alipay-sdk, AlipaySdk in certificate
// mode computes config.appCertSn / alipayCertSn / alipayRootCertSn with src/antcertutil.ts), on
// certificate chains issued here with node-forge: Chinese names, a comma in a name, an email
// attribute, an attribute without a short name, SHA-1 and SHA-256 roots, serials with a leading zero byte.
import { AlipaySdk } from 'alipay-sdk';
import { describe, expect, it } from 'vitest';
import { certPublicKey, certSn, rootCertSn } from '../../src/gateways/alipay/cert';
import { issueCert, rsaPem, type CertAttr } from '../helpers/certs';

type Attr = CertAttr;
const rsa = rsaPem;
const issue = issueCert;

describe('certificate SNs: ours and alipay-sdk\'s agree', () => {
  const cases: { label: string; issuer: Attr[]; serial: string }[] = [
    { label: 'Chinese names', issuer: [{ shortName: 'C', value: 'CN' }, { shortName: 'O', value: '蚂蚁金服' }, { shortName: 'OU', value: '认证中心' }, { shortName: 'CN', value: '测试根证书 R1' }], serial: '2020051862039d4090897ba4d51c2126' },
    { label: 'a comma and a plus sign in a name', issuer: [{ shortName: 'C', value: 'CN' }, { shortName: 'O', value: 'Campus, Test + CA' }, { shortName: 'CN', value: 'Root' }], serial: '00a1b2c3' },
    { label: 'an email attribute', issuer: [{ shortName: 'C', value: 'CN' }, { shortName: 'O', value: 'LUT' }, { name: 'emailAddress', value: 'ca@example.edu.cn' }], serial: '7f' },
    { label: 'an attribute the SDK has no short name for (serialNumber)', issuer: [{ shortName: 'C', value: 'CN' }, { type: '2.5.4.5', value: '91620000224330612X' }, { shortName: 'CN', value: 'LUT CA' }], serial: '01' },
    { label: 'locality and state', issuer: [{ shortName: 'C', value: 'CN' }, { shortName: 'ST', value: 'Gansu' }, { shortName: 'L', value: 'Lanzhou' }, { shortName: 'O', value: 'LUT' }, { shortName: 'CN', value: 'LUT CA' }], serial: '10c764e9d560384212d9c08fd10e373fdd0fb396' },
  ];
  // The SNs depend on names and serials, not on the keys: four key pairs serve every case (a
  // 2048-bit pair takes a quarter of a second to make).
  const [root, sha1Root, ali, app] = [rsa(), rsa(), rsa(), rsa()] as const;
  for (const c of cases) {
    it(c.label, () => {
      const rootPem = issue(c.issuer, c.issuer, root.publicKey, root.privateKey, c.serial);
      const otherRoot = [{ shortName: 'C', value: 'CN' }, { shortName: 'CN', value: 'Old Root G1' }];
      const sha1Pem = issue(otherRoot, otherRoot, sha1Root.publicKey, sha1Root.privateKey, '69e2fec0170ac67b', 'sha1');
      const aliPem = issue([{ shortName: 'CN', value: '支付宝(中国)网络技术有限公司-2088000000000001' }], c.issuer, ali.publicKey, root.privateKey, '20200514e63c2fe04d538716fe21358b');
      const appPem = issue([{ shortName: 'CN', value: '2088000000000001-2021000000000001' }], c.issuer, app.publicKey, root.privateKey, '0fe21358b4');
      const chain = `${rootPem}\n${sha1Pem}`;
      const sdk = new AlipaySdk({ appId: '2021000000000001', privateKey: app.privateKey, keyType: 'PKCS8', appCertContent: appPem, alipayPublicCertContent: aliPem, alipayRootCertContent: chain });
      const cfg = sdk.config as unknown as { appCertSn: string; alipayCertSn: string; alipayRootCertSn: string; alipayPublicKey: string };
      expect(certSn(appPem)).toBe(cfg.appCertSn);
      expect(certSn(aliPem)).toBe(cfg.alipayCertSn);
      expect(rootCertSn(chain)).toBe(cfg.alipayRootCertSn);
      expect(rootCertSn(chain).split('_')).toHaveLength(2);
      expect(certPublicKey(aliPem).replace(/-----[^-]+-----|\s/g, '')).toBe(cfg.alipayPublicKey.replace(/-----[^-]+-----|\s/g, ''));
    });
  }
});
