// One channel's statement for one day against our payments and refunds.
//
// A payment the channel took but we never credited (every notification lost, the payer never
// came back to the result page) is restored here by the payment service's own credit function,
// exactly as the notification would have done it: one crediting path, so one set of rules
// (compare-and-set, row lock on the attempt, unique trade numbers) keeps it from being credited
// twice even when the late notification, the active query and this run meet. Every other
// difference is stored and proposed to finance; nothing here rewrites money on a guess.
import type { Knex } from 'knex';
import { Decimal, formatMoney } from '../../../domain/money';
import { ChannelError, type PaidEvent, type Statement, type StatementLine } from '../../../gateways/types';
import type { Logger } from '../../../logger';
import type { PaymentService } from '../../payment/service';
import type { RefundsModule } from '../../refunds';
import { attemptByChannelOrderId, paidAttemptsOn } from '../attempts-repo';
import { type DifferenceInput, failRun, finishRun, startRun } from '../runs-repo';
import { flagOverpayments } from './flag-overpayments';

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

export interface StatementDeps {
  db: Knex;
  payment: Pick<PaymentService, 'credit'>;
  refunds: Pick<RefundsModule, 'refundsOn'>;
  logger?: Logger | null;
}

const sum = (xs: Decimal[]) => xs.reduce((t, x) => t.plus(x), new Decimal(0));

export async function reconcileStatement(deps: StatementDeps, channel: string, day: string, trigger: string, statementOf: () => Promise<Statement>): Promise<RunResult> {
  const { db } = deps;
  const log = deps.logger;
  const runId = await startRun(db, channel, day, trigger);
  let statement;
  try {
    statement = await statementOf();
  } catch (e) {
    // A statement not published yet, or a channel down: the run is recorded and tried again.
    const error = e instanceof Error ? e.message : String(e);
    await failRun(db, runId, error);
    if (!(e instanceof ChannelError)) log?.error({ err: e, channel, day }, 'statement download failed');
    return { runId, channel, day, status: 'failed', lines: 0, matched: 0, restored: 0, differences: [], error };
  }

  const payments = statement.lines.filter((l) => l.kind === 'payment');
  const p = await matchPayments(deps, channel, payments);
  const absent = await absentPayments(db, channel, day, p.seen);
  const r = await matchRefunds(deps, channel, day, statement.lines.filter((x) => x.kind === 'refund'));
  const diffs = [...p.diffs, ...absent, ...r.diffs];
  const matched = p.matched + r.matched;
  const { restored } = p;

  await finishRun(db, runId, { lines: statement.lines.length, total: sum(payments.map((l) => l.amount)), matched, differences: diffs, restored, raw: statement.raw, channel, day });
  if (restored) await flagOverpayments(db);
  log?.info({ channel, day, lines: statement.lines.length, matched, restored, differences: diffs.length }, 'reconciliation done');
  return { runId, channel, day, status: 'done', lines: statement.lines.length, matched, restored, differences: diffs };
}

/** Each payment line against the attempt it names: matched, restored (credited now) or a difference. */
async function matchPayments(deps: StatementDeps, channel: string, payments: StatementLine[]) {
  const diffs: DifferenceInput[] = [];
  let matched = 0;
  let restored = 0;
  const seen = new Set<string>();
  for (const line of payments) {
    const base = { orderNo: line.orderNo, channelOrderId: line.channelOrderId, channelTradeNo: line.channelTradeNo, channelAmount: line.amount };
    const a = await attemptByChannelOrderId(deps.db, channel, line.channelOrderId);
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
    // The notification's credit, for the line the channel was paid for and we were not.
    const event: PaidEvent = { kind: 'paid', channelOrderId: line.channelOrderId, orderNo: line.orderNo, channelTradeNo: line.channelTradeNo, amount: line.amount, paidAt: line.paidAt };
    const outcome = await deps.payment.credit(channel, event, { kind: 'reconcile' });
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
  return { diffs, matched, restored, seen };
}

/** What we hold as paid on the day that the statement does not have. */
async function absentPayments(db: Knex, channel: string, day: string, seen: Set<string>): Promise<DifferenceInput[]> {
  return (await paidAttemptsOn(db, channel, day)).filter((a) => !seen.has(a.id)).map((a) => ({
    kind: 'credited_absent' as const, orderNo: a.orderNo, channelOrderId: a.channelOrderId, channelTradeNo: a.channelTradeNo, attemptId: a.id, ourAmount: a.amount, channelAmount: null,
    action: 'proposed' as const, detail: '本平台已入账，渠道对账单无此笔收款：请向渠道查询核实，确认未收款后冲正',
  }));
}

/** Refunds, per order: what the channel paid back against what we asked it to. */
async function matchRefunds(deps: StatementDeps, channel: string, day: string, lines: StatementLine[]) {
  const diffs: DifferenceInput[] = [];
  let matched = 0;
  const theirs = new Map<string, { orderNo: string | null; coid: string; amounts: Decimal[] }>();
  for (const l of lines) {
    const a = await attemptByChannelOrderId(deps.db, channel, l.channelOrderId);
    const key = a ? a.orderId : `?${l.channelOrderId}`;
    const e = theirs.get(key) ?? { orderNo: a?.orderNo ?? l.orderNo, coid: l.channelOrderId, amounts: [] };
    e.amounts.push(l.amount);
    theirs.set(key, e);
  }
  const ours = new Map<string, { orderNo: string; amounts: Decimal[]; pending: boolean }>();
  for (const r of await deps.refunds.refundsOn(channel, day)) {
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
  return { diffs, matched };
}
