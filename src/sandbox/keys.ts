// Each simulated channel has its own RSA key pair, made at the sandbox's first start and kept
// under DATA_DIR/sandbox so that restarts (and the platform, which reads the public half) agree.
// A first start needs a dozen 2048-bit pairs (about 0.2 s of one core each); prepareKeyPairs
// makes them ahead on libuv's thread pool while the main thread opens the database, and the
// simulators take those instead of making their own.
import { generateKeyPair, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

export interface KeyPair {
  privateKey: string;
  publicKey: string;
}

/** Where the sandbox keeps its keys (the platform's defaults for the sandbox's public halves point here too). */
export const sandboxKeyDir = (dataDir: string) => path.join(dataDir, 'sandbox');

const RSA = { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } } as const;
const made: KeyPair[] = [];

/** A new RSA-2048 pair (PEM): one made ahead if any is waiting, else made now. */
export function newKeyPair(): KeyPair {
  return made.pop() ?? generateKeyPairSync('rsa', RSA);
}

/**
 * Key pairs a sandbox start will ask for: every channel's (and UnionPay's certificate chain) on
 * the first start, when the key folder does not exist yet; after that only WeChat's platform
 * certificate, which is issued anew at each start.
 */
export const FIRST_START_KEY_PAIRS = 13;
export const keyPairsNeeded = (keyDir: string) => (existsSync(keyDir) ? 1 : FIRST_START_KEY_PAIRS);

/** Makes `count` pairs on the thread pool for newKeyPair to hand out. */
export async function prepareKeyPairs(count: number): Promise<void> {
  const generate = promisify(generateKeyPair);
  const pairs = await Promise.all(Array.from({ length: count }, () => generate('rsa', RSA)));
  made.push(...pairs);
}

/** Pairs made ahead and not taken (for tests: a start should leave none). */
export const keyPairsWaiting = () => made.length;

export function ensureKeyPair(dir: string, name: string): KeyPair {
  const priv = path.join(dir, `${name}-private.pem`);
  const pub = path.join(dir, `${name}-public.pem`);
  if (!existsSync(priv) || !existsSync(pub)) {
    mkdirSync(dir, { recursive: true });
    const { privateKey, publicKey } = newKeyPair();
    // Write then rename, so a reader never sees half a key.
    writeFileSync(`${priv}.tmp`, privateKey, { mode: 0o600 });
    writeFileSync(`${pub}.tmp`, publicKey);
    renameSync(`${priv}.tmp`, priv);
    renameSync(`${pub}.tmp`, pub);
  }
  return { privateKey: readFileSync(priv, 'utf8'), publicKey: readFileSync(pub, 'utf8') };
}
