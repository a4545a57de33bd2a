// 对账 (issue 8; manual 四.6): each channel's daily statement against our payments, and the
// overpayments that come out of a bill paid twice.
//
// A payment the channel took but we never credited (every notification lost, the payer never
// came back to the result page) is restored here by the payment service's own credit function,
// exactly as the notification would have done it: one crediting path, so one set of rules
// (compare-and-set, row lock on the attempt, unique trade numbers) keeps it from being credited
// twice even when the late notification, the active query and this run meet. Every other
// difference is stored and proposed to finance; nothing here rewrites money on a guess.
import { CHANNEL_LABEL, ChannelError, type ChannelId, type PaidEvent, type Statement, type StatementLine } from '../../gateways/types';
import type { GatewayRegistry } from '../../gateways/registry';
import { businessDate, orderDatePart } from '../../domain/business-date';
import { Decimal, formatMoney } from '../../domain/money';
import type { Logger } from '../../logger';
import { type Actor, ConsoleError } from '../console/context';
import { RefundUncertainError, type RefundsService } from '../console/refunds/service';
import type { AuditRepo } from '../audit/repo';
import type { PaymentRepo } from '../payment/repo';
import type { PaymentService } from '../payment/service';
import type { DifferenceInput, OverpaymentRow, ReconcileRepo } from './repo';

export interface ReconcileDeps {
  repo: ReconcileRepo;
  registry: GatewayRegistry;
  payment: Pick<PaymentService, 'credit' | 'channelOrder' | 'attemptOrder'>;
  paymentRepo: Pick<PaymentRepo, 'orderById' | 'attemptsOf'>;
  /** The console's refund service: an overpayment on a bill is refunded exactly like finance would. */
  refunds?: Pick<RefundsService, 'refund'> | null;
  /** Dismissed flags are audited (who, why). */
  audit?: AuditRepo;
  logger?: Logger;
}

/** How many days back the daily job catches up on statements it missed (an outage, a failed download). */
export const CATCH_UP_DAYS = 7;

/** YYYY-MM-DD plus n calendar days. */
export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

export interface RunResult {
  runId: string;
  channel: string;
  day: string;
  status: 'done' | 'failed';
  lines: number;
  matched: number;
  restored: number;
  differences: DifferenceInput[];
  error?: string;
}

/** The platform itself as the actor of an automatic refund: no account, so the audit says 系统. */
export const PLATFORM_ACTOR = { accountId: null, personId: 0, name: '支付平台', ip: 'job' } as unknown as Actor;

export const KIND_LABEL: Record<DifferenceInput['kind'], string> = {
  paid_not_credited: '渠道已收款本平台未入账',
  credited_absent: '本平台已入账渠道无记录',
  amount_mismatch: '金额不符',
  status_mismatch: '状态不符',
  refund_mismatch: '退款不符',
};

/**
 * The channels this deployment is configured to use (CHANNELS_FISCAL, CHANNELS_COLLECTED), in the
 * order the console lists them. The daily job and the console also reconcile a channel taken off
 * the lists while it still has payments in the catch-up window (channelsToReconcile); the CLI
 * takes any registered channel (registeredChannels).
 */
export function channelsOf(registry: GatewayRegistry): ChannelId[] {
  return (Object.keys(CHANNEL_LABEL) as ChannelId[]).filter((id) => registry.get(id) !== null && registry.isConfigured(id));
}

/** Every channel the registry has an adapter for, configured or not. */
export function registeredChannels(registry: GatewayRegistry): ChannelId[] {
  return (Object.keys(CHANNEL_LABEL) as ChannelId[]).filter((id) => registry.get(id) !== null);
}

const sum = (xs: Decimal[]) => xs.reduce((t, x) => t.plus(x), new Decimal(0));

export function reconcileService(deps: ReconcileDeps) {
  const { repo, registry, payment } = deps;
  const log = deps.logger;

  /**
   * The configured channels, plus any registered channel taken off the lists that still had
   * payment attempts since `fromDay`: its money still arrives in (and is refunded from) its
   * statements, and a payment it took after our records lapsed is found only there.
   */
  async function channelsToReconcile(fromDay: string): Promise<ChannelId[]> {
    const configured = channelsOf(registry);
    const used = new Set(await repo.channelsWithAttemptsSince(fromDay));
    return registeredChannels(registry).filter((id) => configured.includes(id) || used.has(id));
  }

  /** Restores one line the channel was paid for and we were not: the notification's credit. */
  async function restore(channel: string, line: StatementLine): Promise<string> {
    const event: PaidEvent = {
      kind: 'paid', channelOrderId: line.channelOrderId, orderNo: line.orderNo, channelTradeNo: line.channelTradeNo, amount: line.amount, paidAt: line.paidAt,
    };
    return payment.credit(channel, event, { kind: 'reconcile' });
  }

  async function reconcile(channel: string, day: string, trigger: 'job' | 'cli' | 'console' = 'job'): Promise<RunResult> {
    const adapter = registry.get(channel);
    if (!adapter) throw new Error(`channel ${channel} is not configured`);
    return run(channel, day, trigger, () => adapter.downloadStatement(day));
  }

  /**
   * A statement file finance uploaded (channels that deliver statements only as files: ICBC):
   * read by the adapter's own parser, then reconciled exactly like a downloaded statement. A
   * file the parser refuses is refused whole, before any run is recorded.
   */
  async function reconcileFile(channel: string, day: string, file: Uint8Array): Promise<RunResult | { refused: string }> {
    const adapter = registry.get(channel);
    if (!adapter?.parseStatement) throw new Error(`channel ${channel} takes no statement upload`);
    let statement: Statement;
    try {
      statement = adapter.parseStatement(day, file);
    } catch (e) {
      if (e instanceof ChannelError) return { refused: e.message };
      throw e;
    }
    return run(channel, day, 'upload', () => Promise.resolve(statement));
  }

  async function run(channel: string, day: string, trigger: string, statementOf: () => Promise<Statement>): Promise<RunResult> {
    const runId = await repo.startRun(channel, day, trigger);
    let statement;
    try {
      statement = await statementOf();
    } catch (e) {
      // A statement not published yet, or a channel down: the run is recorded and tried again.
      const error = e instanceof Error ? e.message : String(e);
      await repo.failRun(runId, error);
      if (!(e instanceof ChannelError)) log?.error({ err: e, channel, day }, 'statement download failed');
      return { runId, channel, day, status: 'failed', lines: 0, matched: 0, restored: 0, differences: [], error };
    }

    const diffs: DifferenceInput[] = [];
    let matched = 0;
    let restored = 0;
    const seen = new Set<string>();
    const payments = statement.lines.filter((l) => l.kind === 'payment');
    for (const line of payments) {
      const base = { orderNo: line.orderNo, channelOrderId: line.channelOrderId, channelTradeNo: line.channelTradeNo, channelAmount: line.amount };
      const a = await repo.attemptByChannelOrderId(channel, line.channelOrderId);
      if (!a) {
        diffs.push({ ...base, kind: 'paid_not_credited', attemptId: null, ourAmount: null, action: 'proposed', detail: '渠道有此笔收款，本平台没有对应的支付记录：请核实付款人后手工处理或原路退回' });
        continue;
      }
      const mine = { ...base, orderNo: a.orderNo, attemptId: a.id, ourAmount: a.amount };
      if (seen.has(a.id)) {
        diffs.push({ ...mine, kind: 'status_mismatch', action: 'proposed', detail: '对账单中同一订单出现两笔收款：请向渠道核实' });
        continue;
      }
      seen.add(a.id);
      if (a.status === 'paid') {
        if (!line.amount.eq(a.amount)) diffs.push({ ...mine, kind: 'amount_mismatch', action: 'proposed', detail: `本平台入账 ${formatMoney(a.amount)}，渠道 ${formatMoney(line.amount)}：请向渠道核实` });
        else if (a.channelTradeNo !== line.channelTradeNo) diffs.push({ ...mine, kind: 'status_mismatch', action: 'proposed', detail: `渠道交易号 ${line.channelTradeNo} 与本平台记录 ${a.channelTradeNo ?? '无'} 不一致：请向渠道核实` });
        else matched++;
        continue;
      }
      if (!line.amount.eq(a.amount)) {
        // Crediting would take the channel's word for an amount we never asked for: finance decides.
        diffs.push({ ...mine, kind: 'amount_mismatch', action: 'proposed', detail: `本平台未入账；订单应付 ${formatMoney(a.amount)}，渠道收款 ${formatMoney(line.amount)}：不自动补账，请核实` });
        continue;
      }
      const outcome = await restore(channel, line);
      if (outcome === 'credited' || outcome === 'double-paid') {
        restored++;
        diffs.push({
          ...mine, kind: 'paid_not_credited', action: 'restored', outcome,
          detail: outcome === 'credited' ? `已按渠道对账单自动补记入账（原状态 ${a.status}）` : '已补记；该订单已由另一笔支付入账，本笔记为重复缴费待退款',
        });
      } else if (outcome === 'duplicate') {
        // The late notification or the active query got there between our read and the credit.
        matched++;
      } else {
        diffs.push({ ...mine, kind: 'paid_not_credited', action: 'proposed', outcome, detail: `自动补账被拒绝（${outcome}）：请核实` });
      }
    }

    for (const a of await repo.paidAttemptsOn(channel, day)) {
      if (seen.has(a.id)) continue;
      diffs.push({
        kind: 'credited_absent', orderNo: a.orderNo, channelOrderId: a.channelOrderId, channelTradeNo: a.channelTradeNo, attemptId: a.id, ourAmount: a.amount, channelAmount: null,
        action: 'proposed', detail: '本平台已入账，渠道对账单无此笔收款：请向渠道查询核实，确认未收款后冲正',
      });
    }

    // Refunds, per order: what the channel paid back against what we asked it to.
    const theirs = new Map<string, { orderNo: string | null; coid: string; amounts: Decimal[] }>();
    for (const l of statement.lines.filter((x) => x.kind === 'refund')) {
      const a = await repo.attemptByChannelOrderId(channel, l.channelOrderId);
      const key = a ? a.orderId : `?${l.channelOrderId}`;
      const e = theirs.get(key) ?? { orderNo: a?.orderNo ?? l.orderNo, coid: l.channelOrderId, amounts: [] };
      e.amounts.push(l.amount);
      theirs.set(key, e);
    }
    const ours = new Map<string, { orderNo: string; amounts: Decimal[]; pending: boolean }>();
    for (const r of await repo.refundsOn(channel, day)) {
      const e = ours.get(r.orderId) ?? { orderNo: r.orderNo, amounts: [], pending: false };
      e.amounts.push(r.amount);
      e.pending ||= r.pending;
      ours.set(r.orderId, e);
    }
    for (const key of new Set([...theirs.keys(), ...ours.keys()])) {
      const t = theirs.get(key);
      const o = ours.get(key);
      const tSum = t ? sum(t.amounts) : null;
      const oSum = o ? sum(o.amounts) : null;
      if (tSum && oSum && tSum.eq(oSum) && !o!.pending) {
        matched++;
        continue;
      }
      const detail = !o ? '渠道有退款，本平台没有对应的退费单：请核实'
        : !t ? '本平台有退费单，渠道对账单无此退款：请向渠道查询'
          : tSum!.eq(oSum!) ? '渠道已退款，本平台退费单仍为处理中：请确认后更新退费单'
            : `退款金额不符：本平台 ${formatMoney(oSum!)}，渠道 ${formatMoney(tSum!)}`;
      diffs.push({
        kind: 'refund_mismatch', orderNo: o?.orderNo ?? t?.orderNo ?? null, channelOrderId: t?.coid ?? null, channelTradeNo: null, attemptId: null,
        ourAmount: oSum, channelAmount: tSum, action: 'proposed', detail,
      });
    }

    await repo.finishRun(runId, { lines: statement.lines.length, total: sum(payments.map((l) => l.amount)), matched, differences: diffs, restored, raw: statement.raw, channel, day });
    if (restored) await scanOverpayments();
    log?.info({ channel, day, lines: statement.lines.length, matched, restored, differences: diffs.length }, 'reconciliation done');
    return { runId, channel, day, status: 'done', lines: statement.lines.length, matched, restored, differences: diffs };
  }

  /**
   * Finds overpayments and flags each once: bills credited beyond what they owe (the excess put
   * on the newest payments first) and second payments of already-paid orders.
   */
  async function scanOverpayments(): Promise<number> {
    let flagged = 0;
    for (const b of await repo.overpaidBills()) {
      const already = await repo.flaggedOnBill(b.billId);
      // What earlier flags on this bill still account for (refunded ones have left the excess).
      let left = b.excess.minus(sum(already.filter((f) => f.status !== 'refunded' && f.status !== 'dismissed').map((f) => f.amount)));
      for (const p of b.payments) {
        if (left.lte(0)) break;
        if (already.some((f) => f.orderId === p.orderId)) continue;
        const amount = Decimal.min(left, p.amount);
        if (await repo.flag({ kind: 'bill', personId: b.personId, billId: b.billId, orderId: p.orderId, attemptId: null, channel: p.channel, amount, note: '账单实缴超过应缴（重复缴费，或缴费后又减免）' })) flagged++;
        left = left.minus(amount);
      }
    }
    for (const a of await repo.doublePaidAttempts()) {
      if (await repo.flag({ kind: 'attempt', personId: a.personId, billId: null, orderId: a.orderId, attemptId: a.attemptId, channel: a.channel, amount: a.amount, note: '订单已由另一笔支付入账，本笔为重复支付' })) flagged++;
    }
    return flagged;
  }

  /** The flag left 'refunding' under us (dismissed, settled elsewhere): nothing is sent. */
  class FlagMovedError extends Error {
    constructor() { super('该笔状态已变化，未发起退款'); }
  }

  /** Refunds a second payment of an order through its own channel; it never reached a bill. */
  async function refundAttempt(op: OverpaymentRow): Promise<{ status: 'refunded' | 'refunding'; refundNo: string }> {
    const adapter = op.channel ? registry.get(op.channel) : null;
    const order = await deps.paymentRepo.orderById(op.orderId);
    const attempt = order ? (await deps.paymentRepo.attemptsOf(order.id)).find((x) => x.id === op.attemptId) : undefined;
    if (!adapter || !order || !attempt?.channelOrderId) throw new ConsoleError('该渠道的退费接口未接入，请在渠道后台原路退回');
    const refundNo = await repo.nextRefundNo(orderDatePart());
    const requestedAt = new Date();
    // The number and time are kept before the call: if the answer is lost, the refund-query job
    // asks about it (and asks again with it) as the same refund.
    if (!(await repo.moveOverpayment(op.id, ['refunding'], 'refunding', { refundNo, refundRequestedAt: requestedAt }))) throw new FlagMovedError();
    const r = await adapter.refund(await payment.attemptOrder(order, attempt), attempt.amount, refundNo, requestedAt);
    if (r.status === 'succeeded') return { status: 'refunded', refundNo };
    if (r.status === 'pending') return { status: 'refunding', refundNo };
    throw new ConsoleError(r.status === 'failed' ? `渠道拒绝退费：${r.reason}` : '该渠道不支持原路退费，请线下退费');
  }

  /** 一键退款: the overpayment goes back the way it came. Safe to press twice. */
  async function refundOverpayment(id: string, actor: Actor): Promise<{ ok: true; refundNo: string; status: 'refunded' | 'refunding' } | { ok: false; message: string }> {
    const [op] = await repo.overpayments({ id });
    if (!op) return { ok: false, message: '记录不存在' };
    // A flag tried again after 'failed' drops its old refund number: the settling job must not
    // ask about (nor resend) the refused refund while the new one is being made.
    if (!(await repo.moveOverpayment(id, ['open', 'failed'], 'refunding', { refundNo: null }))) return { ok: false, message: `该笔已在处理（${op.status}）` };
    try {
      let done: { status: 'refunded' | 'refunding'; refundNo: string };
      if (op.kind === 'attempt') done = await refundAttempt(op);
      else {
        if (!deps.refunds) throw new ConsoleError('退费服务未接入');
        // Back through the payment that was in excess (the flagged order), not whichever order
        // of the bill was paid last: two channels may have been paid within seconds.
        const r = await deps.refunds.refund(actor, null, {
          personId: op.personId, billId: op.billId!, amount: op.amount, mode: 'channel', reason: `重复缴费退款（订单 ${op.orderNo}）`, orderId: op.orderId, overpaymentId: op.id,
        });
        done = { status: r.status === 'succeeded' ? 'refunded' : 'refunding', refundNo: r.refundNo };
      }
      await repo.moveOverpayment(id, ['refunding'], done.status, { refundNo: done.refundNo });
      return { ok: true, ...done };
    } catch (e) {
      if (e instanceof FlagMovedError) return { ok: false, message: e.message };
      const message = e instanceof ConsoleError || e instanceof ChannelError ? e.message : String((e as Error).message ?? e);
      // A channel that did not answer may still have refunded: the flag stays 'refunding' with its
      // number for finance to check, rather than inviting a second refund.
      const uncertain = e instanceof ChannelError || e instanceof RefundUncertainError;
      await repo.moveOverpayment(id, ['refunding'], uncertain ? 'refunding' : 'failed', { note: message });
      if (!(e instanceof ConsoleError) && !(e instanceof ChannelError)) throw e;
      return { ok: false, message };
    }
  }

  /**
   * Second payments handed back through their channel whose answer was unclear or "processing":
   * asked about under the same refund number; sent again under it only if the channel never saw
   * it; the flag ends refunded or failed (open to another click). Bill flags follow their refund,
   * which the refunds service settles.
   */
  async function settleRefundingFlags(now: Date, afterMinutes: number): Promise<{ refunded: number; failed: number; waiting: number }> {
    const out = { refunded: 0, failed: 0, waiting: 0 };
    await repo.syncBillFlagsWithRefunds();
    // Only flags asked for `afterMinutes` ago, as the refunds of the console (recheckPending).
    for (const op of await repo.refundingAttemptFlags(new Date(now.getTime() - afterMinutes * 60_000))) {
      const adapter = op.channel ? registry.get(op.channel) : null;
      const order = await deps.paymentRepo.orderById(op.orderId);
      const attempt = order ? (await deps.paymentRepo.attemptsOf(order.id)).find((x) => x.id === op.attemptId) : undefined;
      if (!adapter || !order || !attempt?.channelOrderId || !op.refundNo) continue;
      const requestedAt = op.refundRequestedAt ?? op.createdAt;
      try {
        const channelOrder = await payment.attemptOrder(order, attempt);
        let q = await adapter.queryRefund(channelOrder, { refundNo: op.refundNo, amount: attempt.amount, requestedAt });
        if (q.status === 'not_found') {
          // Never seen: a new request of the current time, kept before the call (see refunds service recheck).
          // Compare-and-set on the time asked about, so two instances that both heard "never seen"
          // send one new request, not two (see refunds service recheck).
          const retryAt = new Date();
          if (!(await repo.retryFlagRefund(op.id, op.refundRequestedAt, retryAt))) { out.waiting++; continue; }
          const again = await adapter.refund(channelOrder, attempt.amount, op.refundNo, retryAt);
          q = again.status === 'succeeded' ? { status: 'succeeded', channelRefundNo: again.channelRefundNo, amount: attempt.amount }
            : again.status === 'failed' ? again : { status: 'pending' };
        }
        if (q.status === 'succeeded' && q.amount.eq(attempt.amount)) {
          if (await repo.moveOverpayment(op.id, ['refunding'], 'refunded')) out.refunded++;
        } else if (q.status === 'failed') {
          if (await repo.moveOverpayment(op.id, ['refunding'], 'failed', { note: `渠道退款失败：${q.reason}` })) out.failed++;
        } else out.waiting++;
      } catch (e) {
        if (!(e instanceof ChannelError)) throw e;
        out.waiting++;
        log?.warn({ overpayment: op.id, refundNo: op.refundNo, err: e.message }, 'refund query unanswered');
      }
    }
    return out;
  }

  return {
    reconcile,
    reconcileFile,
    /** The channel's statements come as files finance uploads (its adapter reads them). */
    takesUpload: (channel: string) => !!registry.get(channel)?.parseStatement,
    scanOverpayments,
    refundOverpayment,
    settleRefundingFlags,

    /**
     * Finance closes a flag without a refund through the platform (handed back at the channel's
     * merchant portal, settled with the payer otherwise): a reason is required and audited.
     */
    async dismissOverpayment(id: string, actor: Actor, reason: string): Promise<{ ok: true } | { ok: false; message: string }> {
      const [op] = await repo.overpayments({ id });
      if (!op) return { ok: false, message: '记录不存在' };
      if (!(await repo.moveOverpayment(id, ['open', 'failed'], 'dismissed', { note: `财务标记已处理：${reason}` }))) return { ok: false, message: `该笔已在处理（${op.status}），不能标记` };
      await deps.audit?.record({
        actorAccountId: actor.accountId, action: 'overpayment.dismiss', targetPersonId: op.personId, ip: actor.ip,
        detail: { overpaymentId: id, orderNo: op.orderNo, amount: op.amount.toFixed(2), kind: op.kind, reason },
      });
      return { ok: true };
    },

    /**
     * Flags, then refunds without waiting for a click: every open overpayment when
     * OVERPAYMENT_AUTO_REFUND is on; the duplicate payments (a second payment of bills already
     * paid) when DUPLICATE_PAYMENT_AUTO_REFUND is on. Each goes back through the flagged
     * payment's own channel, once (the flag's compare-and-set), and is audited as the platform's.
     */
    async overpaymentJob(autoRefund: boolean, duplicateAutoRefund = false): Promise<{ flagged: number; refunded: number }> {
      const flagged = await scanOverpayments();
      let refunded = 0;
      if (autoRefund || duplicateAutoRefund) {
        for (const op of await repo.overpayments({ status: ['open'] })) {
          const duplicate = await repo.isDuplicatePayment(op);
          if (!autoRefund && !duplicate) continue;
          const r = await refundOverpayment(op.id, PLATFORM_ACTOR);
          await deps.audit?.record({
            actorAccountId: null, action: duplicate ? 'overpayment.duplicate_auto_refund' : 'overpayment.auto_refund', targetPersonId: op.personId, ip: 'job',
            detail: { overpaymentId: op.id, orderNo: op.orderNo, channel: op.channel, amount: op.amount.toFixed(2), kind: op.kind, ok: r.ok, ...(r.ok ? { refundNo: r.refundNo, status: r.status } : { message: r.message }) },
          });
          if (r.ok) refunded++;
          else log?.warn({ overpayment: op.id, message: r.message }, 'automatic overpayment refund failed');
        }
      }
      return { flagged, refunded };
    },

    /**
     * The daily job: each channel's statements up to `yesterday` that no run has reconciled yet,
     * oldest first, so days missed while the platform or a channel was down are caught up. Bounded
     * to CATCH_UP_DAYS back, and never before the channel's first successful run (a channel added
     * today does not fetch a week of statements it never had); a channel never reconciled starts
     * with yesterday. A day whose download fails is simply tried again on the next run.
     */
    async reconcileDue(yesterday: string): Promise<RunResult[]> {
      const out = [];
      const from = addDays(yesterday, -(CATCH_UP_DAYS - 1));
      for (const channel of await channelsToReconcile(from)) {
        // Its statements arrive as files finance uploads: nothing to fetch, and a missing file is
        // not a failed download to retry every hour.
        if (registry.get(channel)?.statementByUpload) continue;
        const { first, done } = await repo.doneDays(channel, from, yesterday);
        const start = first === null ? yesterday : first > from ? first : from;
        for (let day = start; day <= yesterday; day = addDays(day, 1)) {
          if (done.has(day)) continue;
          out.push(await reconcile(channel, day, 'job'));
        }
      }
      return out;
    },

    async page(runId?: string) {
      const [runs, differences, overpayments] = await Promise.all([repo.runs(), repo.differences(runId), repo.overpayments()]);
      const channels = await channelsToReconcile(addDays(businessDate(), -CATCH_UP_DAYS));
      return { runs, differences, overpayments, channels, downloadable: channels.filter((c) => !registry.get(c)?.statementByUpload), uploadable: channels.filter((c) => !!registry.get(c)?.parseStatement) };
    },
  };
}

export type ReconcileService = ReturnType<typeof reconcileService>;
