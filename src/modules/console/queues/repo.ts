// The outbound queues as finance sees them: each is a table whose rows are the business state
// (receipts waiting for their e-bill, sms_outbox, orders 支付中 awaiting their channel's word,
// refunds awaiting theirs), so the counts are read straight from them.
import type { Knex } from 'knex';

export interface QueueDepth {
  queue: 'ebill' | 'sms' | 'payment_query' | 'refund_query';
  pending: number;
  retrying: number;
  /** null where the queue has no failed state (it is retried until the channel answers). */
  failed: number | null;
  oldest: Date | null;
}

const n = (v: unknown) => Number(v ?? 0);
const at = (v: unknown) => (v ? new Date(v as string) : null);

export async function queueDepths(db: Knex, activeQueryAfterMinutes: number, now: Date): Promise<QueueDepth[]> {
  const { rows: [e] } = await db.raw(
    `SELECT count(*) FILTER (WHERE ebill_attempts = 0 AND ebill_failed_at IS NULL) AS pending,
            count(*) FILTER (WHERE ebill_attempts > 0 AND ebill_failed_at IS NULL) AS retrying,
            count(*) FILTER (WHERE ebill_failed_at IS NOT NULL) AS failed,
            min(created_at) FILTER (WHERE ebill_failed_at IS NULL) AS oldest
     FROM receipts WHERE ebill_status = '待生成'
       AND NOT EXISTS (SELECT 1 FROM ebills b WHERE b.receipt_id = receipts.id)`,
  );
  const { rows: [s] } = await db.raw(
    `SELECT count(*) FILTER (WHERE status = 'pending' AND attempts = 0) AS pending,
            count(*) FILTER (WHERE status = 'pending' AND attempts > 0) AS retrying,
            count(*) FILTER (WHERE status = 'failed') AS failed,
            min(created_at) FILTER (WHERE status = 'pending') AS oldest
     FROM sms_outbox WHERE status IN ('pending', 'failed')`,
  );
  const cutoff = new Date(now.getTime() - activeQueryAfterMinutes * 60_000);
  const { rows: [o] } = await db.raw(
    `SELECT count(*) FILTER (WHERE created_at > ?) AS pending, count(*) FILTER (WHERE created_at <= ?) AS retrying, min(created_at) AS oldest
     FROM orders WHERE status = 'paying'`,
    [cutoff, cutoff],
  );
  const { rows: [r] } = await db.raw(
    `SELECT count(*) FILTER (WHERE status = 'pending' AND requested_at > ?) AS pending,
            count(*) FILTER (WHERE status = 'pending' AND requested_at <= ?) AS retrying,
            min(requested_at) FILTER (WHERE status = 'pending') AS oldest
     FROM refunds WHERE status = 'pending'`,
    [cutoff, cutoff],
  );
  return [
    { queue: 'ebill', pending: n(e.pending), retrying: n(e.retrying), failed: n(e.failed), oldest: at(e.oldest) },
    { queue: 'sms', pending: n(s.pending), retrying: n(s.retrying), failed: n(s.failed), oldest: at(s.oldest) },
    { queue: 'payment_query', pending: n(o.pending), retrying: n(o.retrying), failed: null, oldest: at(o.oldest) },
    { queue: 'refund_query', pending: n(r.pending), retrying: n(r.retrying), failed: null, oldest: at(r.oldest) },
  ];
}

/** The receipts whose e-bill the platform refused for good, newest first: what finance must look at. */
export async function refusedEbills(db: Knex, limit = 20) {
  return db('receipts').whereNotNull('ebill_failed_at').orderBy('ebill_failed_at', 'desc').limit(limit)
    .select('receipt_no as receiptNo', 'ebill_failed_at as failedAt', 'ebill_last_error as error') as Promise<{ receiptNo: string; failedAt: Date; error: string }[]>;
}
