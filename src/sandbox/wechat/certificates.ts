// The keys the sandbox plays WeChat Pay with: the APIv3 key it shares with the merchant, and the
// X.509 platform certificates it issues (listed at /v3/certificates, switched to by rotate_key).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import forge from 'node-forge';
import { newKeyPair } from '../keys';
import { signCertificate } from '../kit/x509';

/** The APIv3 key the sandbox shares with the merchant: 32 characters, kept under the key dir. */
export function ensureApiV3Key(dir: string): string {
  const file = path.join(dir, 'wechat-apiv3.key');
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, randomBytes(16).toString('hex'), { mode: 0o600 });
  }
  return readFileSync(file, 'utf8').trim();
}

/** A platform certificate the sandbox issued: the key it signs with, the X.509 it lists. */
export interface SimCertificate { serialNo: string; pem: string; privateKey: string; publicKey: string; effective: Date; expire: Date }

/**
 * A self-issued X.509 platform certificate (subject as WeChat's: O=财付通支付科技有限公司), 5 years.
 * `keys` lets tests hand in a ready-made pair instead of spending a quarter second on a new one.
 */
export function issuePlatformCertificate(mchId: string, now = new Date(), keys: { privateKey: string; publicKey: string } = newKeyPair()): SimCertificate {
  const { privateKey, publicKey } = keys;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  // 20 random bytes, high bit clear: a positive 40-hex serial like WeChat's.
  const serial = randomBytes(20);
  serial[0] = (serial[0]! & 0x7f) | 0x10;
  cert.serialNumber = serial.toString('hex');
  cert.validity.notBefore = new Date(now.getTime() - 60_000);
  cert.validity.notAfter = new Date(now.getTime() + 5 * 365 * 86400_000);
  const attrs = [{ shortName: 'C', value: 'CN' }, { shortName: 'O', value: 'Tenpay.com' }, { shortName: 'OU', value: 'Tenpay.com CA Center' }, { shortName: 'CN', value: `WeChat Pay platform ${mchId}` }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  signCertificate(cert, privateKey);
  return { serialNo: serial.toString('hex').toUpperCase(), pem: forge.pki.certificateToPem(cert), privateKey, publicKey, effective: cert.validity.notBefore, expire: cert.validity.notAfter };
}
