// RSA-2048 key pairs for tests, read from fixture-keys.pem instead of generated: making one takes
// a quarter of a second or more, and the pure unit tests used to make some forty per run, most of
// their time. What the tests check (signatures, certificates, serials) does not depend on the key
// being new, only on the keys of one test being different from each other.
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';

export interface KeyPairPem { privateKey: string; publicKey: string }

let pool: KeyPairPem[] | undefined;
let next = 0;

function load(): KeyPairPem[] {
  const text = readFileSync(new URL('./fixture-keys.pem', import.meta.url), 'utf8');
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
