// The sandbox's UnionPay PKI, issued at its first start and kept under the key directory: a root
// and a middle CA (standing for acp_root.cer / acp_middle.cer), UnionPay's signing certificate
// issued by the middle one (subject CN …@中国银联股份有限公司@…, the form CertUtil checks), and the
// merchant's signing key as UnionPay hands it out, a .pfx (password 000000, like the ACP demo's
// acp_test_sign.pfx) whose certificate serial is the merchant's certId. A key rotation issues a new
// signing certificate (new key, new serial) under the same middle CA.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import forge from 'node-forge';
import { writePfx } from '../../gateways/unionpay/pfx';
import { newKeyPair as newRsaKeyPair } from '../keys';
import { signCertificate } from '../kit/x509';

export const SANDBOX_PFX_PASSWORD = '000000';

interface Issued { keyPem: string; certPem: string }

/** A key pair as PEM text; the sandbox makes a new one for each certificate. */
export type NewKeyPair = () => { privateKey: string; publicKey: string };


/** A positive serial of 5 random bytes (UnionPay's look like 69629715588, 0x1039308534). */
const randomSerial = () => `1${randomBytes(5).toString('hex').slice(1)}`;

type Attr = { shortName: string; value: string; valueTagClass?: number };
const name = (cn: string, ou: string): Attr[] => [
  { shortName: 'C', value: 'CN' }, { shortName: 'O', value: 'China Financial Certification Authority (sandbox)' }, { shortName: 'OU', value: ou },
  { shortName: 'CN', value: cn, valueTagClass: forge.asn1.Type.UTF8 },
];

function issue(o: { subject: Attr[]; issuer: Issued | null; serialHex: string; ca: boolean; years: number; newKeyPair: NewKeyPair }): Issued {
  const keys = o.newKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicKey);
  cert.serialNumber = o.serialHex;
  cert.validity.notBefore = new Date(Date.now() - 24 * 3600_000);
  cert.validity.notAfter = new Date(Date.now() + o.years * 365 * 24 * 3600_000);
  cert.setSubject(o.subject as forge.pki.CertificateField[]);
  const issuerCert = o.issuer ? forge.pki.certificateFromPem(o.issuer.certPem) : null;
  cert.setIssuer((issuerCert ? issuerCert.subject.attributes : o.subject) as forge.pki.CertificateField[]);
  cert.setExtensions(o.ca
    ? [{ name: 'basicConstraints', cA: true, critical: true }, { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true }]
    : [{ name: 'basicConstraints', cA: false }, { name: 'keyUsage', digitalSignature: true, nonRepudiation: true }]);
  signCertificate(cert, o.issuer?.keyPem ?? keys.privateKey);
  return { keyPem: keys.privateKey, certPem: forge.pki.certificateToPem(cert) };
}

function atomic(file: string, data: string | Buffer, mode?: number) {
  writeFileSync(`${file}.tmp`, data, mode ? { mode } : {});
  renameSync(`${file}.tmp`, file);
}

function kept(dir: string, base: string, make: () => Issued): Issued {
  const key = path.join(dir, `${base}-private.pem`);
  const cer = path.join(dir, `${base}.cer`);
  if (!existsSync(key) || !existsSync(cer)) {
    const x = make();
    atomic(key, x.keyPem, 0o600);
    atomic(cer, x.certPem);
  }
  return { keyPem: readFileSync(key, 'utf8'), certPem: readFileSync(cer, 'utf8') };
}

export interface UnionpayPki {
  root: Issued;
  middle: Issued;
  /** UnionPay's current signing certificate; replaced by rotate(). */
  signing(): Issued & { certId: string };
  rotate(): void;
  merchant: Issued & { certId: string };
}

const certIdOf = (pem: string) => BigInt(`0x${forge.pki.certificateFromPem(pem).serialNumber}`).toString();

/** `newKeyPair` lets tests hand in ready-made keys: making four 2048-bit pairs takes a second. */
export function ensureUnionpayPki(dir: string, merchantCertId: string, newKeyPair: NewKeyPair = newRsaKeyPair): UnionpayPki {
  mkdirSync(dir, { recursive: true });
  const root = kept(dir, 'unionpay-root', () => issue({ subject: name('CFCA SANDBOX ROOT', 'Root'), issuer: null, serialHex: randomSerial(), ca: true, years: 20, newKeyPair }));
  const middle = kept(dir, 'unionpay-middle', () => issue({ subject: name('CFCA SANDBOX OCA1', 'OCA1'), issuer: root, serialHex: randomSerial(), ca: true, years: 10, newKeyPair }));
  const newSigning = () => {
    const serial = randomSerial();
    return issue({ subject: name(`041@8310000000083040@中国银联股份有限公司@${BigInt(`0x${serial}`).toString().slice(-8)}`, 'Enterprises'), issuer: middle, serialHex: serial, ca: false, years: 5, newKeyPair });
  };
  let signing = kept(dir, 'unionpay-sign', newSigning);
  let signingId = certIdOf(signing.certPem);
  const pfxFile = path.join(dir, 'unionpay-merchant.pfx');
  const merchant = kept(dir, 'unionpay-merchant', () => issue({
    subject: name('041@Z12345678@campus-pay@00000001', 'Local RA OCA1'), issuer: middle, serialHex: BigInt(merchantCertId).toString(16), ca: false, years: 5, newKeyPair,
  }));
  if (!existsSync(pfxFile)) atomic(pfxFile, writePfx(merchant.keyPem, merchant.certPem, SANDBOX_PFX_PASSWORD), 0o600);
  return {
    root, middle, merchant: { ...merchant, certId: certIdOf(merchant.certPem) },
    signing: () => ({ ...signing, certId: signingId }),
    rotate() {
      signing = newSigning();
      signingId = certIdOf(signing.certPem);
      atomic(path.join(dir, 'unionpay-sign-private.pem'), signing.keyPem, 0o600);
      atomic(path.join(dir, 'unionpay-sign.cer'), signing.certPem);
    },
  };
}
