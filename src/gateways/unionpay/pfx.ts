// UnionPay issues the merchant's signing key as a PKCS#12 file (.pfx, e.g. the ACP demo's
// acp_test_sign.pfx with password 000000). The ACP SDK loads it as a KeyStore and sends the
// certificate's serial number in decimal as certId (pengjianbo3478/gyf-unionpay-acp-sdk,
// src/main/java/com/unionpay/acp/sdk/CertUtil.java getCertIdIdByStore:
// cert.getSerialNumber().toString()). Node's crypto cannot read PKCS#12, node-forge can.
import forge from 'node-forge';

export interface MerchantKey {
  privateKeyPem: string;
  certPem: string;
  /** The certificate's serial, decimal: certId. */
  certId: string;
}

const { pkcs8ShroudedKeyBag: SHROUDED, keyBag: KEY, certBag: CERT } = forge.pki.oids as Record<string, string>;

export function readPfx(der: Buffer, password: string): MerchantKey {
  const p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary'))), password);
  const keyBag = [...(p12.getBags({ bagType: SHROUDED! })[SHROUDED!] ?? []), ...(p12.getBags({ bagType: KEY! })[KEY!] ?? [])][0];
  const key = keyBag?.key as forge.pki.rsa.PrivateKey | undefined;
  // UnionPay's .pfx also carries the chain (acp_test_sign.pfx holds three certificates): the
  // signing certificate is the one whose public key is the private key's, as the KeyStore's key
  // entry pairs them.
  const certBag = (p12.getBags({ bagType: CERT! })[CERT!] ?? []).find((b) => {
    const pub = b.cert?.publicKey as forge.pki.rsa.PublicKey | undefined;
    return !!key && !!pub?.n && pub.n.equals(key.n) && pub.e.equals(key.e);
  });
  if (!keyBag?.key || !certBag?.cert) throw new Error('pfx holds no private key with its certificate');
  return {
    privateKeyPem: forge.pki.privateKeyToPem(keyBag.key),
    certPem: forge.pki.certificateToPem(certBag.cert),
    certId: BigInt(`0x${certBag.cert.serialNumber}`).toString(),
  };
}

/** A .pfx as UnionPay hands them out (3DES, one key and its certificate); the sandbox writes its merchant's this way. */
export function writePfx(privateKeyPem: string, certPem: string, password: string): Buffer {
  const asn1 = forge.pkcs12.toPkcs12Asn1(forge.pki.privateKeyFromPem(privateKeyPem), [forge.pki.certificateFromPem(certPem)], password, { algorithm: '3des' });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}
