// Signing an X.509 certificate built with node-forge, with node's crypto doing the RSA: forge's
// cert.sign does the private-key operation in JavaScript (node-forge/lib/x509.js cert.sign →
// lib/rsa.js), ten times slower than OpenSSL. The steps are cert.sign's own; PKCS#1 v1.5 is
// deterministic, so the certificate comes out byte for byte the same.
import { sign } from 'node:crypto';
import forge from 'node-forge';

// In node-forge (lib/x509.js pki.getTBSCertificate) but not in its type definitions.
const { getTBSCertificate } = forge.pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 };

export function signCertificate(cert: forge.pki.Certificate, privateKeyPem: string, md: 'sha1' | 'sha256' = 'sha256'): void {
  const oid = forge.pki.oids[`${md}WithRSAEncryption`]!;
  const c = cert as forge.pki.Certificate & { md: forge.md.MessageDigest; signatureOid: string; siginfo: { algorithmOid: string }; tbsCertificate: forge.asn1.Asn1; signature: string };
  c.md = md === 'sha1' ? forge.md.sha1.create() : forge.md.sha256.create();
  c.signatureOid = oid;
  c.siginfo.algorithmOid = oid;
  c.tbsCertificate = getTBSCertificate(cert);
  const tbs = Buffer.from(forge.asn1.toDer(c.tbsCertificate).getBytes(), 'binary');
  c.md.update(tbs.toString('binary'));
  c.signature = sign(md, tbs, privateKeyPem).toString('binary');
}
