// What /metrics reads from the database on each scrape: the queues waiting (e-bills 待生成, SMS)
// and when each job last started (job_runs). Counts over partial indexes, cheap to run often.
import type { Knex } from 'knex';

export async function queueDepths(db: Knex): Promise<Record<string, number>> {
  const [ebills, sms] = await Promise.all([
    db('receipts').where({ ebill_status: '待生成' }).count<{ n: string }[]>({ n: '*' }),
    db('sms_outbox').whereIn('status', ['pending', 'failed']).groupBy('status').select('status').count<{ status: string; n: string }[]>({ n: '*' }),
  ]);
  const bySms = new Map(sms.map((r) => [r.status, Number(r.n)]));
  return { ebills_pending: Number(ebills[0]?.n ?? 0), sms_pending: bySms.get('pending') ?? 0, sms_failed: bySms.get('failed') ?? 0 };
}

export async function jobRunAges(db: Knex): Promise<{ name: string; secondsSinceStart: number; failed: boolean }[]> {
  const rows = await db('job_runs').select(
    'name',
    db.raw('EXTRACT(EPOCH FROM (now() - last_started_at))::float8 AS since'),
    db.raw('(last_error IS NOT NULL) AS failed'),
  ) as { name: string; since: number | string; failed: boolean }[];
  return rows.map((r) => ({ name: r.name, secondsSinceStart: Number(r.since), failed: !!r.failed }));
}
