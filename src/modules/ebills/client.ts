// Our side of the e-bill service: one signed request per receipt, the answer's signature checked
// before anything is believed. Every failure is an EbillError the issuing job retries later.
import { HEADER, ISSUE_PATH, type IssuedBill, type IssueRequest, type IssueResponse, signedHeaders, verify } from './protocol';

export interface EbillSettings {
  /** Base URL of the service, e.g. http://127.0.0.1:3100/ebill (the sandbox). */
  url: string;
  appId: string;
  secret: string;
  timeoutMs?: number;
}

export class EbillError extends Error {
  /** true for a refusal a retry cannot change (malformed request, amounts that do not add up, a reused request id). */
  constructor(message: string, readonly permanent = false) {
    super(message);
  }
}

/** The platform's answers that say the request itself is wrong, not the moment. */
const PERMANENT_CODES = new Set(['4000', '4002', '4009']);

export interface EbillClient {
  issue(req: IssueRequest): Promise<IssuedBill>;
}

export function createEbillClient(s: EbillSettings): EbillClient {
  return {
    async issue(req) {
      const body = JSON.stringify(req);
      let res: globalThis.Response;
      try {
        res = await fetch(`${s.url}${ISSUE_PATH}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json; charset=utf-8', ...signedHeaders(s.appId, s.secret, body) },
          body,
          signal: AbortSignal.timeout(s.timeoutMs ?? 10_000),
        });
      } catch (err) {
        throw new EbillError(`e-bill service unreachable: ${(err as Error).name === 'TimeoutError' ? 'timeout' : (err as Error).message}`);
      }
      const text = await res.text();
      const v = verify(s.secret, (n) => res.headers.get(n), text);
      if (!v.ok || res.headers.get(HEADER.appId) !== s.appId) throw new EbillError(`e-bill answer refused (HTTP ${res.status}): ${v.ok ? 'wrong app id' : v.why}`);
      let payload: IssueResponse;
      try {
        payload = JSON.parse(text) as IssueResponse;
      } catch {
        throw new EbillError(`e-bill answer is not JSON (HTTP ${res.status})`);
      }
      if (payload.code !== '0000' || !payload.data) throw new EbillError(`e-bill service said ${payload.code}: ${payload.message}`, PERMANENT_CODES.has(payload.code));
      const d = payload.data;
      if (!/^\d{1,16}$/.test(d.billCode) || !/^\d{1,16}$/.test(d.billNo) || !/^\d{6}$/.test(d.checkCode) || !/^\d{4}-\d{2}-\d{2}$/.test(d.issuedOn)) {
        throw new EbillError('e-bill answer has malformed numbers');
      }
      return { billCode: d.billCode, billNo: d.billNo, checkCode: d.checkCode, issuedOn: d.issuedOn };
    },
  };
}
