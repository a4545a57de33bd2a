// SQL of reconciliation and overpayments: runs and their differences, our side of a channel's
// day (paid attempts, refunds), and the overpayment flags with their compare-and-set moves.
import type { Knex } from 'knex';
import { dec, sameInstant } from '../../db/rows';
import { startOfBusinessDay } from '../../domain/business-date';
import { Decimal } from '../../domain/money';

export type DifferenceKind = 'paid_not_credited' | 'credited_absent' | 'amount_mismatch' | 'status_mismatch' | 'refund_mismatch';

export interface DifferenceInput {
  kind: DifferenceKind;
  orderNo: string | null;
  channelOrderId: string | null;
  channelTradeNo: string | null;
  attemptId: string | null;
  ourAmount: Decimal | null;
  channelAmount: Decimal | null;
  action: 'restored' | 'proposed' | 'none';
  outcome?: string;
  detail: string;
}

export interface AttemptAtChannel {
  id: string;
  orderId: string;
  orderNo: string;
  orderStatus: string;
  personId: number;
  channel: string;
  channelOrderId: string | null;
  channelTradeNo: string | null;
  amount: Decimal;
  status: string;
  paidAt: Date | null;
}

export type OverpaymentStatus = 'open' | 'refunding' | 'refunded' | 'failed' | 'dismissed';

export interface OverpaymentRow {
  id: string;
  kind: 'bill' | 'attempt';
  personId: number;
  billId: number | null;
  orderId: string;
  orderNo: string;
  attemptId: string | null;
  channel: string | null;
  amount: Decimal;
  status: OverpaymentStatus;
  refundNo: string | null;
  note: string;
  createdAt: Date;
}

const nextDay = (day: string) => new Date(startOfBusinessDay(day).getTime() + 24 * 3600_000);

const toAttempt = (r: Record<string, any>): AttemptAtChannel => ({
  id: String(r.id), orderId: String(r.order_id), orderNo: r.order_no, orderStatus: r.order_status, personId: r.person_id, channel: r.channel,
  channelOrderId: r.channel_order_id, channelTradeNo: r.channel_trade_no, amount: dec(r.amount), status: r.status,
  paidAt: r.paid_at ? new Date(r.paid_at) : null,
});

const ATTEMPT_COLUMNS = ['a.id', 'a.order_id', 'o.order_no', 'o.status as order_status', 'o.person_id', 'a.channel', 'a.channel_order_id', 'a.channel_trade_no', 'a.amount', 'a.status', 'a.paid_at'];

const toOverpayment = (r: Record<string, any>): OverpaymentRow => ({
  id: String(r.id), kind: r.kind, personId: r.person_id, billId: r.bill_id, orderId: String(r.order_id), orderNo: r.order_no,
  attemptId: r.attempt_id === null ? null : String(r.attempt_id), channel: r.channel, amount: dec(r.amount), status: r.status,
  refundNo: r.refund_no, note: r.note, createdAt: new Date(r.created_at),
});

export function reconcileRepo(db: Knex) {
  return {
    async startRun(channel: string, day: string, trigger: string): Promise<string> {
      const [row] = await db('reconcile_runs').insert({ channel, day, trigger, status: 'running' }).returning('id');
      return String(row.id);
    },

    async failRun(id: string, error: string): Promise<void> {
      await db('reconcile_runs').where({ id }).update({ status: 'failed', error: error.slice(0, 2000), finished_at: db.fn.now() });
    },

    async finishRun(id: string, r: { lines: number; total: Decimal; matched: number; differences: DifferenceInput[]; restored: number; raw: string; channel: string; day: string }) {
      await db.transaction(async (trx) => {
        if (r.differences.length) {
          await trx('reconcile_differences').insert(r.differences.map((d) => ({
            run_id: id, channel: r.channel, day: r.day, kind: d.kind, order_no: d.orderNo?.slice(0, 32) ?? null, channel_order_id: d.channelOrderId?.slice(0, 64) ?? null,
            channel_trade_no: d.channelTradeNo?.slice(0, 64) ?? null, attempt_id: d.attemptId, our_amount: d.ourAmount?.toFixed(2) ?? null,
            channel_amount: d.channelAmount?.toFixed(2) ?? null, action: d.action, outcome: (d.outcome ?? '').slice(0, 32), detail: d.detail.slice(0, 300),
          })));
        }
        await trx('reconcile_runs').where({ id }).update({
          status: 'done', statement_lines: r.lines, statement_total: r.total.toFixed(2), matched: r.matched, differences: r.differences.length,
          restored: r.restored, raw: r.raw, finished_at: trx.fn.now(),
        });
      });
    },

    async attemptByChannelOrderId(channel: string, channelOrderId: string): Promise<AttemptAtChannel | null> {
      const r = await db('payment_attempts as a').join('orders as o', 'o.id', 'a.order_id')
        .where({ 'a.channel': channel, 'a.channel_order_id': channelOrderId }).first(ATTEMPT_COLUMNS);
      return r ? toAttempt(r) : null;
    },

    /** What we hold as received through this channel on this business day. */
    async paidAttemptsOn(channel: string, day: string): Promise<AttemptAtChannel[]> {
      const rows = await db('payment_attempts as a').join('orders as o', 'o.id', 'a.order_id')
        .where({ 'a.channel': channel, 'a.status': 'paid' })
        .where('a.paid_at', '>=', startOfBusinessDay(day)).where('a.paid_at', '<', nextDay(day))
        .orderBy('a.id').select(ATTEMPT_COLUMNS);
      return rows.map(toAttempt);
    },

    /**
     * Refunds we sent through this channel on this day, per order: the console's refunds, and
     * second payments handed back from an overpayment (those never touched a bill).
     */
    async refundsOn(channel: string, day: string): Promise<{ orderId: string; orderNo: string; amount: Decimal; pending: boolean }[]> {
      const from = startOfBusinessDay(day);
      const to = nextDay(day);
      const { rows } = await db.raw(`
        SELECT r.order_id, o.order_no, r.amount, r.status = 'pending' AS pending
        FROM refunds r JOIN orders o ON o.id = r.order_id
        WHERE r.channel = ? AND r.status IN ('succeeded','pending') AND r.created_at >= ? AND r.created_at < ?
        UNION ALL
        SELECT op.order_id, o.order_no, op.amount, op.status = 'refunding' AS pending
        FROM overpayments op JOIN orders o ON o.id = op.order_id
        WHERE op.kind = 'attempt' AND op.channel = ? AND op.status IN ('refunded','refunding') AND op.resolved_at >= ? AND op.resolved_at < ?`,
      [channel, from, to, channel, from, to]);
      return rows.map((r: Record<string, any>) => ({ orderId: String(r.order_id), orderNo: r.order_no, amount: dec(r.amount), pending: !!r.pending }));
    },

    /** Orders still 支付中 with an attempt out at a channel since before the cut-off. */
    async stalePayingOrders(cutoff: Date, limit = 200): Promise<string[]> {
      const rows = await db('orders as o').where('o.status', 'paying')
        .whereExists(db('payment_attempts as a').whereRaw('a.order_id = o.id').where('a.status', 'sent').where('a.created_at', '<=', cutoff))
        .orderBy('o.id').limit(limit).select('o.id');
      return rows.map((r) => String(r.id));
    },

    async runs(limit = 50) {
      const rows = await db('reconcile_runs').orderBy('id', 'desc').limit(limit)
        .select('id', 'channel', 'day', 'status', 'trigger', 'statement_lines', 'statement_total', 'matched', 'differences', 'restored', 'error', 'started_at', 'finished_at');
      return rows.map((r) => ({
        id: String(r.id), channel: r.channel as string, day: r.day as string, status: r.status as string, trigger: r.trigger as string,
        lines: r.statement_lines as number, total: dec(r.statement_total), matched: r.matched as number, differences: r.differences as number,
        restored: r.restored as number, error: r.error as string | null, startedAt: new Date(r.started_at), finishedAt: r.finished_at ? new Date(r.finished_at) : null,
      }));
    },

    /** The channels of payment attempts made on or after this business day (Asia/Shanghai), a day earlier to be safe. */
    async channelsWithAttemptsSince(day: string): Promise<string[]> {
      return db('payment_attempts').where('created_at', '>=', db.raw(`(?::date - 1)::timestamp AT TIME ZONE 'Asia/Shanghai'`, [day])).distinct('channel').pluck('channel');
    },

    /** The first day this channel was ever reconciled, and the days in [from, to] already done. */
    async doneDays(channel: string, from: string, to: string): Promise<{ first: string | null; done: Set<string> }> {
      const [first] = await db('reconcile_runs').where({ channel, status: 'done' }).select(db.raw(`to_char(min(day), 'YYYY-MM-DD') AS first`));
      const rows = await db('reconcile_runs').where({ channel, status: 'done' }).whereBetween('day', [from, to]).distinct(db.raw(`to_char(day, 'YYYY-MM-DD') AS day`));
      return { first: (first?.first as string | null) ?? null, done: new Set(rows.map((r) => r.day as string)) };
    },

    /** The statement file last uploaded and reconciled for this channel and day, as stored by its run. */
    async uploadedRaw(channel: string, day: string): Promise<string | null> {
      const row = await db('reconcile_runs').where({ channel, day, status: 'done', trigger: 'upload' }).orderBy('id', 'desc').first('raw');
      return (row?.raw as string | undefined) ?? null;
    },

    /**
     * Second payments handed back through their channel whose answer is still awaited, asked for
     * at or before `askedBefore`: a refund just sent may not be processed yet (UnionPay answers 34
     * until it is), and a retry then would be a second request beside the first.
     */
    async refundingAttemptFlags(askedBefore: Date, limit = 100): Promise<(OverpaymentRow & { refundRequestedAt: Date | null })[]> {
      const rows = await db('overpayments as op').join('orders as o', 'o.id', 'op.order_id')
        .where({ 'op.kind': 'attempt', 'op.status': 'refunding' }).whereNotNull('op.refund_no')
        .whereRaw('COALESCE(op.refund_requested_at, op.created_at) <= ?', [askedBefore.toISOString()])
        .orderBy('op.id').limit(limit).select('op.*', 'o.order_no');
      return rows.map((r) => ({ ...toOverpayment(r), refundRequestedAt: r.refund_requested_at ? new Date(r.refund_requested_at) : null }));
    },

    /** A bill flag follows its refund once that refund is settled (should the two ever part). */
    async syncBillFlagsWithRefunds(): Promise<number> {
      const { rowCount } = await db.raw(`
        UPDATE overpayments op SET status = CASE r.status WHEN 'succeeded' THEN 'refunded' ELSE 'failed' END, resolved_at = now()
        FROM refunds r WHERE op.kind = 'bill' AND op.status = 'refunding' AND r.refund_no = op.refund_no AND r.status IN ('succeeded','failed')`);
      return rowCount ?? 0;
    },

    async lastDoneRun(channel: string, day: string) {
      return db('reconcile_runs').where({ channel, day, status: 'done' }).orderBy('id', 'desc').first('id');
    },

    async differences(runId?: string, limit = 200) {
      const q = db('reconcile_differences').orderBy('id', 'desc').limit(limit);
      if (runId) q.where('run_id', runId);
      const rows = await q.select('*');
      return rows.map((r) => ({
        id: String(r.id), runId: String(r.run_id), channel: r.channel as string, day: r.day as string, kind: r.kind as DifferenceKind,
        orderNo: r.order_no as string | null, channelOrderId: r.channel_order_id as string | null, channelTradeNo: r.channel_trade_no as string | null,
        ourAmount: r.our_amount === null ? null : dec(r.our_amount), channelAmount: r.channel_amount === null ? null : dec(r.channel_amount),
        action: r.action as string, outcome: r.outcome as string, detail: r.detail as string,
      }));
    },

    /**
     * Bills credited beyond what they owe, each with the orders whose payments made the excess,
     * newest first: the last payments are the ones that should not have happened.
     */
    async overpaidBills(): Promise<{ billId: number; personId: number; excess: Decimal; payments: { orderId: string; channel: string | null; amount: Decimal }[] }[]> {
      const { rows } = await db.raw(`
        SELECT b.id, b.person_id, (b.paid - b.refunded) - (b.due - b.reduction) AS excess
        FROM bills b WHERE (b.paid - b.refunded) > (b.due - b.reduction) ORDER BY b.id`);
      const out = [];
      for (const r of rows as Record<string, any>[]) {
        const pays = await db('bill_ledger as l').join('orders as o', 'o.id', 'l.order_id')
          .where({ 'l.bill_id': r.id, 'l.kind': 'payment' }).orderBy('l.id', 'desc').select('l.order_id', 'o.channel', 'l.amount');
        out.push({ billId: r.id as number, personId: r.person_id as number, excess: dec(r.excess), payments: pays.map((p) => ({ orderId: String(p.order_id), channel: p.channel as string | null, amount: dec(p.amount) })) });
      }
      return out;
    },

    /** Second payments of already-paid orders, as the payment service recorded them. */
    async doublePaidAttempts(): Promise<{ attemptId: string; orderId: string; personId: number; channel: string; amount: Decimal }[]> {
      const rows = await db('payment_attempts as a').join('orders as o', 'o.id', 'a.order_id')
        .where('a.status', 'paid')
        .whereExists(db('channel_events as e').whereRaw('e.attempt_id = a.id').where('e.outcome', 'double-paid'))
        .whereNotExists(db('overpayments as op').whereRaw('op.attempt_id = a.id').where('op.kind', 'attempt'))
        .select('a.id', 'a.order_id', 'o.person_id', 'a.channel', 'a.amount');
      return rows.map((r) => ({ attemptId: String(r.id), orderId: String(r.order_id), personId: r.person_id, channel: r.channel, amount: dec(r.amount) }));
    },

    /**
     * Whether a flag is a duplicate payment: the second payment of an order already paid, or a
     * payment that found its bills already paid (payment_attempts.duplicate_payment, set when it
     * was credited). Not an excess left by a reduction made after paying.
     */
    async isDuplicatePayment(op: Pick<OverpaymentRow, 'kind' | 'orderId' | 'attemptId' | 'billId' | 'amount'>): Promise<boolean> {
      const q = db('payment_attempts').where({ status: 'paid', duplicate_payment: true });
      if (op.kind === 'attempt') return !!(await q.where('id', op.attemptId).first('id'));
      // A bill flag: only as much as this bill's line exceeded what it owed when the payment was
      // credited (duplicate_bills); another bill of the order, or an excess grown since (a
      // reduction), is not the duplicate's.
      const rows = await q.where('order_id', op.orderId).select('duplicate_bills');
      const excess = rows.map((r) => (r.duplicate_bills as Record<string, string> | null)?.[String(op.billId)]).find((x) => x !== undefined);
      return excess !== undefined && op.amount.lte(dec(excess));
    },

    async flaggedOnBill(billId: number): Promise<{ orderId: string; amount: Decimal; status: OverpaymentStatus }[]> {
      const rows = await db('overpayments').where({ kind: 'bill', bill_id: billId }).select('order_id', 'amount', 'status');
      return rows.map((r) => ({ orderId: String(r.order_id), amount: dec(r.amount), status: r.status }));
    },

    /** Inserts a flag once per cause; true when this call created it. */
    async flag(f: { kind: 'bill' | 'attempt'; personId: number; billId: number | null; orderId: string; attemptId: string | null; channel: string | null; amount: Decimal; note: string }): Promise<boolean> {
      const target = f.kind === 'bill' ? `(bill_id, order_id) WHERE kind = 'bill'` : `(attempt_id) WHERE kind = 'attempt'`;
      const { rowCount } = await db.raw(
        `INSERT INTO overpayments (kind, person_id, bill_id, order_id, attempt_id, channel, amount, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT ${target} DO NOTHING`,
        [f.kind, f.personId, f.billId, f.orderId, f.attemptId, f.channel, f.amount.toFixed(2), f.note.slice(0, 300)],
      );
      return rowCount === 1;
    },

    async overpayments(filter: { status?: OverpaymentStatus[]; id?: string } = {}): Promise<OverpaymentRow[]> {
      const q = db('overpayments as op').join('orders as o', 'o.id', 'op.order_id').orderBy('op.id', 'desc').limit(500)
        .select('op.*', 'o.order_no');
      if (filter.status) q.whereIn('op.status', filter.status);
      if (filter.id) q.where('op.id', filter.id);
      return (await q).map(toOverpayment);
    },

    /** Compare-and-set of a flag's status, so two clicks (or the job and a click) refund once. */
    async moveOverpayment(id: string, from: OverpaymentStatus[], to: OverpaymentStatus, extra: { refundNo?: string | null; note?: string; refundRequestedAt?: Date } = {}): Promise<boolean> {
      const n = await db('overpayments').where({ id }).whereIn('status', from).update({
        status: to, ...(extra.refundNo !== undefined ? { refund_no: extra.refundNo } : {}), ...(extra.note !== undefined ? { note: extra.note.slice(0, 300) } : {}),
        ...(extra.refundRequestedAt ? { refund_requested_at: extra.refundRequestedAt } : {}),
        ...(to === 'refunded' || to === 'dismissed' || to === 'refunding' ? { resolved_at: db.fn.now() } : {}),
      });
      return n === 1;
    },

    /**
     * Moves a refunding flag's request time from the one its query asked about to the retry's;
     * true only for the one caller that moved it (the others must not send).
     */
    async retryFlagRefund(id: string, askedAbout: Date | null, retryAt: Date): Promise<boolean> {
      const q = db('overpayments').where({ id, status: 'refunding' });
      if (askedAbout) q.where(sameInstant('refund_requested_at', askedAbout));
      else q.whereNull('refund_requested_at');
      return (await q.update({ refund_requested_at: retryAt })) === 1;
    },

    async nextRefundNo(datePart: string): Promise<string> {
      const { rows } = await db.raw(`SELECT lpad(nextval('refund_no_seq')::text, 8, '0') AS n`);
      return `TF${datePart}${rows[0].n as string}`;
    },

    async refundNoOf(refundNo: string) {
      return db('refunds as r').join('orders as o', 'o.id', 'r.order_id').where('r.refund_no', refundNo).first('o.order_no', 'r.channel', 'r.status');
    },
  };
}

export type ReconcileRepo = ReturnType<typeof reconcileRepo>;

/**
 * After a refund on a bill (offline, or through the channel from the person's page), the open
 * overpayment flags it covers are closed, so 对账 stops offering money that is already back:
 * flags still waiting on the bill beyond its remaining excess are marked refunded by that
 * refund (or, when it covered only part, reduced to what is still owed back). The flag the
 * refund itself was made for (one-click, `refund_no` = this refund) is settled by its caller.
 * Runs inside the refund's transaction, under the bill's row lock.
 */
export async function closeFlagsCoveredByRefund(trx: Knex.Transaction, bill: { id: number; due: Decimal; reduction: Decimal; paid: Decimal; refunded: Decimal }, refundNo: string): Promise<number> {
  const excess = Decimal.max(0, bill.paid.minus(bill.refunded).minus(bill.due.minus(bill.reduction)));
  const flags = await trx('overpayments').where({ kind: 'bill', bill_id: bill.id }).whereIn('status', ['open', 'failed', 'refunding'])
    .where((q) => q.whereNull('refund_no').orWhereNot('refund_no', refundNo)).orderBy('id', 'desc').forUpdate().select('id', 'amount', 'status');
  let live = flags.reduce((t, f) => t.plus(dec(f.amount)), new Decimal(0));
  let closed = 0;
  for (const f of flags) {
    if (live.lte(excess)) break;
    if (f.status === 'refunding') continue;
    const amount = dec(f.amount);
    const over = live.minus(excess);
    if (over.gte(amount)) {
      await trx('overpayments').where({ id: f.id }).update({ status: 'refunded', refund_no: refundNo, note: `已由退费单 ${refundNo} 退回`, resolved_at: trx.fn.now() });
      live = live.minus(amount);
      closed++;
    } else {
      await trx('overpayments').where({ id: f.id }).update({ amount: amount.minus(over).toFixed(2), note: `退费单 ${refundNo} 已退回 ${over.toFixed(2)} 元，余额待退` });
      live = live.minus(over);
    }
  }
  return closed;
}
