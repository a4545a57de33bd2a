// The day's trade bill: ask for its download URL and SHA1, fetch the file, check and parse it
// (./statement.ts).
import { ChannelError, type Statement } from '../types';
import type { WechatClient } from './client';
import { parseWechatBill } from './statement';

export async function downloadWechatStatement(client: WechatClient, fetchImpl: typeof fetch, timeoutMs: number | undefined, day: string): Promise<Statement> {
  const r = await client.call('GET', `/v3/bill/tradebill?bill_date=${day}&bill_type=ALL`);
  const { download_url: url, hash_type: hashType, hash_value: hash } = r.doc;
  if (r.status !== 200 || typeof url !== 'string' || hashType !== 'SHA1' || typeof hash !== 'string') throw new ChannelError(`wechat tradebill: HTTP ${r.status} ${r.code}`, r.status !== 400 && r.status !== 404);
  // The file itself is not signed (its SHA1 above is); the download request still is.
  const headers = client.downloadHeaders(url);
  let file: Buffer;
  try {
    const res = await fetchImpl(url, { headers, signal: AbortSignal.timeout(timeoutMs ?? 30_000) });
    if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
    file = Buffer.from(await res.arrayBuffer());
  } catch (e) {
    throw new ChannelError(`wechat bill download: ${(e as Error).message}`, true);
  }
  return parseWechatBill(file, hash);
}
