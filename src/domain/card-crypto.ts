// Bank card numbers at rest: AES-256-GCM with a fresh 12-byte IV each time, stored as one base64
// string iv ‖ tag ‖ ciphertext. GCM's tag means a tampered or wrong-key value fails loudly instead
// of decrypting to a plausible wrong card.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;
// Binds the ciphertext to its purpose: a value copied from another encrypted column will not open.
const AAD = Buffer.from('accounts.bank_card_enc:v1');

export function encryptCard(plain: string, key: Buffer): string {
  if (key.length !== 32) throw new Error('bank card key must be 32 bytes');
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(AAD);
  const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64');
}

export function decryptCard(stored: string, key: Buffer): string {
  const raw = Buffer.from(stored, 'base64');
  if (raw.length <= IV_BYTES + TAG_BYTES) throw new Error('bank card value is too short');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
  decipher.setAAD(AAD);
  decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
}
