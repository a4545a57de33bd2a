// Key pairs and X.509 certificates issued in the test, for the channels whose keys come as
// certificates (Alipay 公钥证书 mode). Names go in as UTF8String, as Alipay's certificates carry them.
import forge from 'node-forge';
import { signCertificate } from '../../src/sandbox/kit/x509';
import { fixtureKeyPair } from './fixture-keys';

export type CertAttr = { name?: string; shortName?: string; type?: string; value: string };

export const rsaPem = fixtureKeyPair;

// forge takes binary strings: a Chinese name is encoded to UTF-8 bytes first.
const utf8 = (as: CertAttr[]) => as.map((a) => ({ ...a, value: forge.util.encodeUtf8(a.value), valueTagClass: forge.asn1.Type.UTF8 as number }));

/** A certificate of `subject` for `publicKeyPem`, signed by `signerPem` as `issuer`, valid from yesterday for a year. */
export function issueCert(subject: CertAttr[], issuer: CertAttr[], publicKeyPem: string, signerPem: string, serialHex: string, md: 'sha1' | 'sha256' = 'sha256'): string {
  const c = forge.pki.createCertificate();
  c.publicKey = forge.pki.publicKeyFromPem(publicKeyPem);
  c.serialNumber = serialHex;
  c.validity.notBefore = new Date(Date.now() - 86_400_000);
  c.validity.notAfter = new Date(Date.now() + 365 * 86_400_000);
  c.setSubject(utf8(subject));
  c.setIssuer(utf8(issuer));
  signCertificate(c, signerPem, md);
  return forge.pki.certificateToPem(c);
}

/** A self-signed certificate for localhost and its key, written by `file` for nginx to serve. */
export function localhostTls(file: (name: string, content: string) => string): { cert: string; certFile: string; keyFile: string } {
  const keys = rsaPem();
  const name = [{ name: 'commonName', value: 'localhost' }];
  const cert = issueCert(name, name, keys.publicKey, keys.privateKey, '01');
  return { cert, certFile: file('cert.pem', cert), keyFile: file('key.pem', keys.privateKey) };
}
