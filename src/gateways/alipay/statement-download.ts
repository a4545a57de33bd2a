// The day's trade statement: ask for its download URL, fetch the zip, parse it (./statement.ts).
import { ChannelError, type Statement } from '../types';
import { refuse, type AlipayClient } from './client';
import { SUCCESS_CODE } from './codec';
import { parseAlipayStatement } from './statement';

export async function downloadAlipayStatement(client: AlipayClient, fetchImpl: typeof fetch, timeoutMs: number | undefined, day: string): Promise<Statement> {
  const r = await client.call('alipay.data.dataservice.bill.downloadurl.query', { bill_type: 'trade', bill_date: day });
  if (r.code !== SUCCESS_CODE || typeof r.bill_download_url !== 'string') throw refuse('alipay bill.downloadurl.query', r);
  let zip: Buffer;
  try {
    const res = await fetchImpl(r.bill_download_url, { signal: AbortSignal.timeout(timeoutMs ?? 30_000) });
    if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
    zip = Buffer.from(await res.arrayBuffer());
  } catch (e) {
    throw new ChannelError(`alipay bill download: ${(e as Error).message}`, true);
  }
  return parseAlipayStatement(zip);
}
