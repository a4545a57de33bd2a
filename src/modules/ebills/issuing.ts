// E-bill issuing after payment: every receipt left 待生成 by crediting (or by the counter) gets its
// bill from the fiscal e-bill platform and becomes 已生成: 财政 receipts the 甘肃省非税收入统一票据
// （电子）, 代收 receipts the 行政事业单位资金往来结算票据（电子） (the 票据种类 each request names:
// protocol.ts BILL_TYPE). A failed request is retried with a growing delay until the platform
// answers: the payment is final, so the bill must follow.
// While the platform is out (its daily window, a maintenance period, the circuit breaker: see
// ../nontax-status/service.ts) no receipt is even claimed: they wait, untried, and go as soon as
// it is back; the breaker lets one probe through when its time is up. A refusal the platform gives
// for the request itself (malformed, amounts) is final: 失败, for finance.
// Never twice: receipts are claimed FOR UPDATE SKIP LOCKED with a lease, the request id is the
// receipt's own (the platform answers a repeated id with the same bill), and the bill row is
// unique per receipt.
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { PAYMENT_METHOD_LABEL } from '../../domain/labels';
import { isMobile, ebillNotice } from '../sms/messages';
import type { Gate } from '../nontax-status/service';
import { EbillError, type EbillClient } from './client';
import { billTitle } from './labels';
import { BILL_TYPE } from './protocol';
import { ebillsRepo, type EbillKind, type EbillLine, type PendingReceipt } from './repo';

export interface IssuingDeps {
  knex: Knex;
  client: EbillClient;
  schoolName: string;
  /** For the link in the SMS. */
  publicUrl: string;
  logger?: Pick<Logger, 'info' | 'warn' | 'error'>;
  now?: () => Date;
  batchSize?: number;
  /** Requests in flight at once within one pass. */
  concurrency?: number;
  /** The non-tax platform's availability; absent: always open (scripts, older tests). */
  gate?: {
    gate(now: Date): Promise<Gate>;
    success(now: Date): Promise<void>;
    failure(error: string, now: Date, count: number): Promise<void>;
  };
}

export interface IssuingResult {
  issued: number;
  failed: number;
  /** Receipts this pass claimed (issued, failed, or found done by another runner). */
  claimed: number;
}

/** How long a runner may hold a claimed receipt before another may take it (a crash mid-request). */
export const LEASE_MS = 5 * 60_000;
const BASE_DELAY_MS = 60_000;
const MAX_DELAY_MS = 60 * 60_000;

/** 1 min, 2, 4, 8 … capped at an hour: the platform gets time to recover, the student not too long a wait. */
export function retryDelayMs(failures: number): number {
  return Math.min(BASE_DELAY_MS * 2 ** Math.max(0, failures - 1), MAX_DELAY_MS);
}

export async function issuePendingEbills(deps: IssuingDeps): Promise<IssuingResult> {
  const now = deps.now ?? (() => new Date());
  const repo = ebillsRepo(deps.knex);
  const started = now();
  const batch = deps.batchSize ?? 50;
  const lease = new Date(started.getTime() + LEASE_MS);
  const gate = deps.gate ? await deps.gate.gate(started) : 'open';
  const ids = await repo.claimDue(started, lease, gate === 'open' ? batch : gate === 'probe' ? 1 : 0);
  const result: IssuingResult = { issued: 0, failed: 0, claimed: ids.length };
  let platformOk = false;
  let platformDown: string | null = null;
  let platformFailures = 0;
  const one = async (id: string) => {
    const receipt = await repo.pendingReceipt(id);
    if (!receipt || receipt.lines.length === 0) return;
    try {
      await issueOne(deps, repo, receipt);
      result.issued += 1;
      platformOk = true;
    } catch (err) {
      result.failed += 1;
      const message = (err as Error).message;
      if (err instanceof EbillError && err.permanent) {
        await repo.recordRefused(id, now(), message);
        deps.logger?.error({ receiptNo: receipt.receiptNo, err: message }, 'e-bill refused by the platform: given up');
        return;
      }
      platformDown = message;
      platformFailures += 1;
      const failures = receipt.attempts + 1;
      const at = new Date(now().getTime() + retryDelayMs(failures));
      await repo.recordFailure(id, at, message);
      // Many failures in a row means the platform or our keys are wrong: finance must hear of it.
      const log = failures >= 10 ? deps.logger?.error : deps.logger?.warn;
      log?.call(deps.logger, { receiptNo: receipt.receiptNo, failures, err: message }, 'e-bill not issued, will retry');
    }
  };
  await inParallel(ids, deps.concurrency ?? 4, one);
  if (deps.gate && platformOk) await deps.gate.success(now());
  else if (deps.gate && platformDown) await deps.gate.failure(platformDown, now(), platformFailures);
  return result;
}

/** Passes until one claims nothing (the backlog is drained) or `maxMs` has gone by. */
export async function drainEbills(deps: IssuingDeps, maxMs = 25_000): Promise<IssuingResult> {
  const end = Date.now() + maxMs;
  const total: IssuingResult = { issued: 0, failed: 0, claimed: 0 };
  for (;;) {
    const r = await issuePendingEbills(deps);
    total.issued += r.issued;
    total.failed += r.failed;
    total.claimed += r.claimed;
    if (r.claimed === 0 || r.issued === 0 || Date.now() > end) return total;
  }
}

async function inParallel<T>(items: T[], n: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, worker));
}

async function issueOne(deps: IssuingDeps, repo: ReturnType<typeof ebillsRepo>, r: PendingReceipt) {
  const lines: EbillLine[] = r.lines.map((l) => ({
    code: l.code, name: l.name, unit: l.unit, quantity: '1', standard: l.amount.toFixed(2), amount: l.amount.toFixed(2),
  }));
  const periods = [...new Set(r.lines.map((l) => l.periodName))];
  const remark = [deps.schoolName, ...periods].join(' ');
  const kind = r.category === '财政' ? 'fiscal' as const : 'settlement' as const;
  // Outside any transaction: a slow platform must not hold database locks.
  const bill = await deps.client.issue({
    requestId: `R${r.id}-${r.receiptNo}`, billType: BILL_TYPE[kind], channel: PAYMENT_METHOD_LABEL[r.method] ?? r.method,
    payerName: r.payerName, payerNumber: r.payerNumber, unitName: deps.schoolName, remark, payDate: r.receiptDate, total: r.total.toFixed(2), lines,
  });
  await deps.knex.transaction(async (trx) => {
    const full = { kind, ...bill, payerName: r.payerName, payerNumber: r.payerNumber, unitName: deps.schoolName, remark, handler: r.preparer, total: r.total, lines };
    await repo.recordIssued(trx, r.id, full, '已生成', notice(deps, r, full));
  });
}

function notice(deps: IssuingDeps, r: PendingReceipt, bill: { kind: EbillKind; billNo: string }) {
  // No number on file: the bill is still there to see after signing in.
  if (!isMobile(r.mobile)) return null;
  const body = ebillNotice({
    schoolName: deps.schoolName, receiptDate: r.receiptDate, total: r.total, receiptNo: r.receiptNo,
    billTitle: billTitle(bill.kind, deps.schoolName), billNo: bill.billNo,
    link: `${deps.publicUrl}/transactions/receipts/${r.receiptNo}/ebill`,
  });
  return { personId: r.personId, mobile: r.mobile, body };
}
