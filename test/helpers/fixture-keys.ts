// RSA-2048 key pairs for tests, made once per checkout and kept under node_modules/.cache (never
// in git: no key is committed, not even a throwaway one): making one takes a quarter of a second or
// more, and the pure unit tests used to make some forty per run, most of their time. What the
// tests check (signatures, certificates, serials) does not depend on the key being new, only on
// the keys of one test being different from each other.
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export interface KeyPairPem { privateKey: string; publicKey: string }

let pool: KeyPairPem[] | undefined;
let next = 0;

const POOL_SIZE = 16;
const CACHE = fileURLToPath(new URL('../../node_modules/.cache/campus-pay/fixture-keys.pem', import.meta.url));

/** The cached keys, or new ones written there (whole, by rename: parallel workers never read half a file). */
function keysText(): string {
  try {
    return readFileSync(CACHE, 'utf8');
  } catch {
    const text = Array.from({ length: POOL_SIZE }, () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()).join('');
    mkdirSync(path.dirname(CACHE), { recursive: true });
    const tmp = `${CACHE}.${process.pid}.tmp`;
    writeFileSync(tmp, text, { mode: 0o600 });
    renameSync(tmp, CACHE);
    return text;
  }
}

function load(): KeyPairPem[] {
  const text = keysText();
  const pems = text.match(/-----BEGIN PRIVATE KEY-----[^-]+-----END PRIVATE KEY-----\n/g) ?? [];
  return pems.map((privateKey) => ({ privateKey, publicKey: createPublicKey(createPrivateKey(privateKey)).export({ type: 'spki', format: 'pem' }).toString() }));
}

/**
 * The next of sixteen fixed key pairs, in turn: sixteen calls in a row never repeat one, which is
 * more than any one test file asks for (the files share this module when run in one worker).
 */
export function fixtureKeyPair(): KeyPairPem {
  pool ??= load();
  const pair = pool[next % pool.length]!;
  next += 1;
  return pair;
}
