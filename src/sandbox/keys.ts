// Each simulated channel has its own RSA key pair, made at the sandbox's first start and kept
// under DATA_DIR/sandbox so that restarts (and the platform, which reads the public half) agree.
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface KeyPair {
  privateKey: string;
  publicKey: string;
}

export function ensureKeyPair(dir: string, name: string): KeyPair {
  const priv = path.join(dir, `${name}-private.pem`);
  const pub = path.join(dir, `${name}-public.pem`);
  if (!existsSync(priv) || !existsSync(pub)) {
    mkdirSync(dir, { recursive: true });
    const { privateKey, publicKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    // Write then rename, so a reader never sees half a key.
    writeFileSync(`${priv}.tmp`, privateKey, { mode: 0o600 });
    writeFileSync(`${pub}.tmp`, publicKey);
    renameSync(`${priv}.tmp`, priv);
    renameSync(`${pub}.tmp`, pub);
  }
  return { privateKey: readFileSync(priv, 'utf8'), publicKey: readFileSync(pub, 'utf8') };
}
