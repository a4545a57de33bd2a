// 外发队列 (finance only): what waits to go out — e-bill requests, SMS, payment and refund
// queries — with how many are pending, retrying and failed and how long the oldest has waited;
// the non-tax platform's state (正常 / 维护中, and why); and 非税平台维护, where finance announces a
// maintenance period with its expected end (students see it on 财政 payments) or ends it early.
import { Router, type Request, type Response } from 'express';
import type { Knex } from 'knex';
import { z } from 'zod';
import { businessDateTime, businessMinute } from '../../../domain/business-date';
import { requireRole } from '../../../http/guards';
import { pathId } from '../../../http/params';
import { type FieldErrors, formFields, parse } from '../../../http/validate';
import type { NontaxStatusService } from '../../nontax-status/service';
import { actorOf } from '../context';
import { queueDepths, refusedEbills } from './repo';

export const QUEUE_LABEL = { ebill: '电子票据申请', sms: '短信通知', payment_query: '支付结果查询', refund_query: '退款结果查询' } as const;
const SOURCE_LABEL = { window: '每日维护时段', maintenance: '财务登记的维护', breaker: '连续请求失败（自动熔断）' } as const;

const localTime = z.string().trim().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, '请按 年-月-日 时:分 填写').refine((v) => businessMinute(v) !== null, '日期或时间不存在');
const maintenanceForm = z.object({
  starts_at: z.union([z.literal(''), localTime]),
  ends_at: localTime,
  note: z.string().trim().max(100, '说明不超过100字'),
});
const toInstant = (local: string) => businessMinute(local)!;

export interface QueuesDeps {
  db: Knex;
  nontaxStatus: NontaxStatusService;
  activeQueryAfterMinutes: number;
}

function age(from: Date | null, now: Date): string {
  if (!from) return '—';
  const min = Math.max(0, Math.floor((now.getTime() - from.getTime()) / 60_000));
  if (min < 60) return `${min}分钟`;
  if (min < 24 * 60) return `${Math.floor(min / 60)}小时${min % 60}分钟`;
  return `${Math.floor(min / 1440)}天${Math.floor((min % 1440) / 60)}小时`;
}

export function queuesRoutes(deps: QueuesDeps) {
  const r = Router();
  const finance = requireRole('finance_admin');

  const page = async (_req: Request, res: Response, o: { values?: Record<string, string>; errors?: FieldErrors; status?: number; notices?: string[] } = {}) => {
    const now = new Date();
    const [depths, refused, outage, breaker, periods] = await Promise.all([
      queueDepths(deps.db, deps.activeQueryAfterMinutes, now), refusedEbills(deps.db), deps.nontaxStatus.outage(now), deps.nontaxStatus.breaker(), deps.nontaxStatus.recent(),
    ]);
    res.status(o.status ?? 200).render('console/queues/index', {
      title: '外发队列', crumbs: ['管理控制台', '外发队列'], nav: 'console-queues',
      queues: depths.map((d) => ({ ...d, label: QUEUE_LABEL[d.queue], age: age(d.oldest, now) })),
      refused: refused.map((x) => ({ ...x, failedAt: businessDateTime(new Date(x.failedAt)) })),
      outage: outage ? { source: SOURCE_LABEL[outage.source], until: businessDateTime(outage.until).slice(0, 16), note: outage.note } : null,
      breakerFailures: breaker?.failures ?? 0,
      periods: periods.map((p) => ({
        id: p.id, startsAt: businessDateTime(p.startsAt).slice(0, 16), endsAt: businessDateTime(p.endsAt).slice(0, 16), note: p.note,
        state: p.endedAt ? '已提前结束' : p.endsAt <= now ? '已结束' : p.startsAt > now ? '未开始' : '维护中', live: !p.endedAt && p.endsAt > now,
      })),
      values: o.values ?? {}, errors: o.errors ?? {}, notices: o.notices ?? [],
    });
  };

  r.get('/queues', finance, (req, res) => page(req, res, { notices: req.query.done === '1' ? ['已保存'] : [] }));

  r.post('/queues/maintenance', finance, async (req, res) => {
    const values = formFields(req.body);
    const f = parse(maintenanceForm, values);
    if (!f.ok) return page(req, res, { values, errors: f.errors, status: 400 });
    const startsAt = f.data.starts_at ? toInstant(f.data.starts_at) : new Date();
    const endsAt = toInstant(f.data.ends_at);
    if (endsAt <= startsAt || endsAt <= new Date()) return page(req, res, { values, errors: { ends_at: '预计恢复时间须晚于开始时间和当前时间' }, status: 400 });
    await deps.nontaxStatus.announce(actorOf(req), { startsAt, endsAt, note: f.data.note });
    res.redirect(303, '/console/queues?done=1');
  });

  r.post('/queues/maintenance/:id/end', finance, async (req, res) => {
    const id = pathId(req, 'id', '维护记录不存在');
    const ended = await deps.nontaxStatus.end(actorOf(req), String(id));
    if (!ended) return page(req, res, { status: 409, notices: ['该维护已结束'] });
    res.redirect(303, '/console/queues?done=1');
  });

  return r;
}
