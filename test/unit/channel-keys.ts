// Throwaway RSA key pairs for codec tests: the fixed pool of test/helpers/fixture-keys.ts (made once, kept under node_modules/.cache).
import { fixtureKeyPair } from '../helpers/fixture-keys';

export const keyPair = fixtureKeyPair;

export const AMOUNTS = ['0.01', '249.99', '9099.95', '99999999.99'] as const;
export const FEN_OF: Record<string, string> = { '0.01': '1', '249.99': '24999', '9099.95': '909995', '99999999.99': '9999999999' };
