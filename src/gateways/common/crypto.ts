// Crypto and wire helpers the four card/wallet channels share. Node's own crypto only: every
// signature, digest and AEAD here is one call into OpenSSL, nothing hand-rolled.
import { createSign, createVerify, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { businessDate, businessTime } from '../../domain/business-date';
import { ChannelError } from '../types';

export type RsaAlg = 'RSA-SHA256' | 'RSA-SHA1';

export function rsaSign(text: string, privateKeyPem: string, alg: RsaAlg = 'RSA-SHA256'): string {
  return createSign(alg).update(text, 'utf8').sign(privateKeyPem, 'base64');
}

/** False for anything that is not a well-formed base64 signature over `text` by this key. */
export function rsaVerify(text: string, signature: string, publicKeyPem: string, alg: RsaAlg = 'RSA-SHA256'): boolean {
  if (typeof signature !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) return false;
  try {
    return createVerify(alg).update(text, 'utf8').verify(publicKeyPem, signature, 'base64');
  } catch {
    return false;
  }
}

export const nonce = (bytes = 16) => randomBytes(bytes).toString('hex');

/**
 * Parses an application/x-www-form-urlencoded body as it came. A repeated field is refused:
 * which copy was signed would be ambiguous, and a forged second copy is the classic way around
 * a signature check.
 */
export function parseFormStrict(raw: string): Record<string, string> | null {
  const out: Record<string, string> = {};
  try {
    for (const [k, v] of new URLSearchParams(raw)) {
      if (Object.hasOwn(out, k)) return null;
      out[k] = v;
    }
  } catch {
    return null;
  }
  return out;
}

export const encodeForm = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

/** 20200214205824: UnionPay's txnTime and ICBC's order_date, Asia/Shanghai. */
export function compactDateTime(at: Date): string {
  return `${businessDate(at)}${businessTime(at)}`.replace(/\D/g, '');
}

/** 2020-02-14 20:58:24, Asia/Shanghai (Alipay and ICBC timestamps). */
export function dashedDateTime(at: Date): string {
  return `${businessDate(at)} ${businessTime(at)}`;
}

/** Reads yyyyMMddHHmmss or yyyy-MM-dd HH:mm:ss as Asia/Shanghai; null when it is neither. */
export function parseShanghai(s: string): Date | null {
  const m = /^(\d{4})-?(\d{2})-?(\d{2})[ T]?(\d{2}):?(\d{2}):?(\d{2})$/.exec(s);
  if (!m) return null;
  const d = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}+08:00`);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** PEM files read on first use: the sandbox writes its keys at its own start, which may come after ours. */
export function lazyPems<K extends string>(channel: string, files: Record<K, string>): () => Record<K, string> {
  let cache: Record<K, string> | null = null;
  return () => {
    if (cache) return cache;
    try {
      const out = {} as Record<K, string>;
      for (const k of Object.keys(files) as K[]) out[k] = readFileSync(files[k], 'utf8');
      cache = out;
      return out;
    } catch (e) {
      throw new ChannelError(`${channel} keys not readable: ${(e as Error).message}`);
    }
  };
}

/** One HTTP exchange with a channel; network failures and 5xx are "uncertain" (may have taken effect). */
export async function channelFetch(
  channel: string, what: string, url: string, init: RequestInit & { timeoutMs?: number }, fetchImpl: typeof fetch = fetch,
): Promise<{ status: number; headers: Headers; text: string }> {
  let res: Response;
  try {
    res = await fetchImpl(url, { ...init, signal: AbortSignal.timeout(init.timeoutMs ?? 10_000) });
  } catch (e) {
    throw new ChannelError(`${channel} ${what}: ${(e as Error).message}`, true);
  }
  const text = await res.text().catch(() => '');
  if (res.status >= 500) throw new ChannelError(`${channel} ${what}: HTTP ${res.status}`, true);
  return { status: res.status, headers: res.headers, text };
}

export function headerOf(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const want = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === want) return Array.isArray(v) ? v[0] : v;
  }
  return undefined;
}

/**
 * The exact text of the JSON value that follows `"key":` in a JSON document, found by scanning
 * (strings and escapes respected), so a signature can be checked over the bytes as sent rather
 * than over a re-serialisation that may order or escape differently.
 */
export function rawJsonMember(doc: string, key: string): string | null {
  const marker = `"${key}"`;
  let i = doc.indexOf(marker);
  if (i < 0) return null;
  i += marker.length;
  while (i < doc.length && /\s/.test(doc[i]!)) i++;
  if (doc[i] !== ':') return null;
  i++;
  while (i < doc.length && /\s/.test(doc[i]!)) i++;
  const start = i;
  const open = doc[i];
  if (open !== '{' && open !== '[') return null;
  let depth = 0;
  let inString = false;
  for (; i < doc.length; i++) {
    const c = doc[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return doc.slice(start, i + 1);
    }
  }
  return null;
}
