// SQL of reconciliation runs and the differences each found.
import type { Knex } from 'knex';
import { dec } from '../../db/rows';
import type { Decimal } from '../../domain/money';
import type { DifferenceAction, DifferenceKind } from '../../domain/reconcile';

export type { DifferenceKind };

export interface DifferenceInput {
  kind: DifferenceKind;
  orderNo: string | null;
  channelOrderId: string | null;
  channelTradeNo: string | null;
  attemptId: string | null;
  ourAmount: Decimal | null;
  channelAmount: Decimal | null;
  action: DifferenceAction;
  outcome?: string;
  detail: string;
}

export async function startRun(trx: Knex, channel: string, day: string, trigger: string): Promise<string> {
  const [row] = await trx('reconcile_runs').insert({ channel, day, trigger, status: 'running' }).returning('id');
  return String(row.id);
}

export async function failRun(trx: Knex, id: string, error: string): Promise<void> {
  await trx('reconcile_runs').where({ id }).update({ status: 'failed', error: error.slice(0, 2000), finished_at: trx.fn.now() });
}

export async function finishRun(db: Knex, id: string, r: { lines: number; total: Decimal; matched: number; differences: DifferenceInput[]; restored: number; raw: string; channel: string; day: string }): Promise<void> {
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
}

export async function listRuns(trx: Knex, limit = 50) {
  const rows = await trx('reconcile_runs').orderBy('id', 'desc').limit(limit)
    .select('id', 'channel', 'day', 'status', 'trigger', 'statement_lines', 'statement_total', 'matched', 'differences', 'restored', 'error', 'started_at', 'finished_at');
  return rows.map((r) => ({
    id: String(r.id), channel: r.channel as string, day: r.day as string, status: r.status as string, trigger: r.trigger as string,
    lines: r.statement_lines as number, total: dec(r.statement_total), matched: r.matched as number, differences: r.differences as number,
    restored: r.restored as number, error: r.error as string | null, startedAt: new Date(r.started_at), finishedAt: r.finished_at ? new Date(r.finished_at) : null,
  }));
}

/** The first day this channel was ever reconciled, and the days in [from, to] already done. */
export async function doneDays(trx: Knex, channel: string, from: string, to: string): Promise<{ first: string | null; done: Set<string> }> {
  const [first] = await trx('reconcile_runs').where({ channel, status: 'done' }).select(trx.raw(`to_char(min(day), 'YYYY-MM-DD') AS first`));
  const rows = await trx('reconcile_runs').where({ channel, status: 'done' }).whereBetween('day', [from, to]).distinct(trx.raw(`to_char(day, 'YYYY-MM-DD') AS day`));
  return { first: (first?.first as string | null) ?? null, done: new Set(rows.map((r) => r.day as string)) };
}

/** The statement file last uploaded and reconciled for this channel and day, as stored by its run. */
export async function uploadedRaw(trx: Knex, channel: string, day: string): Promise<string | null> {
  const row = await trx('reconcile_runs').where({ channel, day, status: 'done', trigger: 'upload' }).orderBy('id', 'desc').first('raw');
  return (row?.raw as string | undefined) ?? null;
}

export async function listDifferences(trx: Knex, runId?: string, limit = 200) {
  const q = trx('reconcile_differences').orderBy('id', 'desc').limit(limit);
  if (runId) q.where('run_id', runId);
  const rows = await q.select('*');
  return rows.map((r) => ({
    id: String(r.id), runId: String(r.run_id), channel: r.channel as string, day: r.day as string, kind: r.kind as DifferenceKind,
    orderNo: r.order_no as string | null, channelOrderId: r.channel_order_id as string | null, channelTradeNo: r.channel_trade_no as string | null,
    ourAmount: r.our_amount === null ? null : dec(r.our_amount), channelAmount: r.channel_amount === null ? null : dec(r.channel_amount),
    action: r.action as string, outcome: r.outcome as string, detail: r.detail as string,
  }));
}
