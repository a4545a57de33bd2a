// Throwaway RSA key pairs for codec tests, made once per test file.
import { generateKeyPairSync } from 'node:crypto';

export function keyPair() {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
}

export const AMOUNTS = ['0.01', '249.99', '9099.95', '99999999.99'] as const;
export const FEN_OF: Record<string, string> = { '0.01': '1', '249.99': '24999', '9099.95': '909995', '99999999.99': '9999999999' };
