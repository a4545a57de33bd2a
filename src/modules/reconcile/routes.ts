// 对账 in the finance console: the runs, the differences each found with what was done or is
// proposed, and the overpayments with their 一键退款. Finance only; every action is audited
// (refunds and dismissals by the refunds module, runs here).
import { createHash } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { HTTP_STATUS, isAppError } from '../../domain/app-error';
import { businessDate } from '../../domain/business-date';
import { CHOICE_LABEL } from '../../domain/labels';
import { isOwnKey } from '../../domain/own';
import { requireRole } from '../../http/guards';
import { parseQuery } from '../../http/query';
import { formFields, parse } from '../../http/validate';
import type { AuditRepo } from '../audit/repo';
import { actorOf } from '../console/context';
import { id, reason } from '../console/schemas';
import type { RefundsModule } from '../refunds';
import type { ReconcileService } from './service';

const pageQuery = z.object({ run: z.union([z.literal(''), z.string().regex(/^[1-9]\d{0,12}$/, '对账批次无效')]).optional().transform((v) => v || undefined) });

const runForm = z.object({
  channel: z.string({ message: '请选择渠道' }).refine((c) => isOwnKey(CHOICE_LABEL, c), '请选择渠道'),
  day: z.string({ message: '请选择日期' }).regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD').refine((d) => !Number.isNaN(Date.parse(d)) && d <= businessDate(), '日期无效或在今天之后'),
});

const dismissForm = z.object({ reason });

/** 上传对账文件: the channel's own statement file for one day (ICBC delivers no statement API). */
const uploadForm = z.object({
  channel: z.string({ message: '请选择渠道' }).refine((c) => isOwnKey(CHOICE_LABEL, c), '请选择渠道'),
  day: runForm.shape.day,
});

/** The labels the page shows for stored codes. */
export function reconcileRoutes(deps: { reconcile: ReconcileService; refunds: Pick<RefundsModule, 'refundOverpayment' | 'dismissOverpayment'>; audit?: AuditRepo }) {
  const r = Router();
  r.use('/reconcile', requireRole('finance_admin'));

  const show = async (req: Request, res: Response, extra: { status?: number; notices?: string[]; error?: string; values?: Record<string, string>; errors?: Record<string, string> } = {}) => {
    const { data, errors } = parseQuery(pageQuery, req.query);
    const view = await deps.reconcile.page(data.run);
    res.status(extra.status ?? 200).render('console/reconcile/index', {
      title: '对账', crumbs: ['管理控制台', '对账'], nav: 'console-reconcile', ...view, run: data.run,
      values: extra.values ?? { day: businessDate(new Date(Date.now() - 24 * 3600_000)) }, errors: extra.errors ?? {},
      notices: [...errors, ...(extra.notices ?? [])], error: extra.error,
    });
  };

  r.get('/reconcile', (req, res) => show(req, res));

  r.post('/reconcile/run', async (req, res) => {
    const values = formFields(req.body);
    const form = parse(runForm, values);
    if (!form.ok) return show(req, res, { status: 400, values, errors: form.errors });
    if (deps.reconcile.takesUpload(form.data.channel)) return show(req, res, { status: 400, values, errors: { channel: `${CHOICE_LABEL[form.data.channel as keyof typeof CHOICE_LABEL]}的对账单由银行文件服务下发，请在下方上传对账文件` } });
    const out = await deps.reconcile.reconcile(form.data.channel, form.data.day, 'console');
    const actor = actorOf(req);
    await deps.audit?.record({ actorAccountId: actor.accountId, action: 'reconcile.run', targetPersonId: null, detail: { channel: out.channel, day: out.day, runId: out.runId, status: out.status }, ip: actor.ip });
    if (out.status === 'failed') return show(req, res, { status: 502, values, error: `对账单下载失败：${out.error ?? ''}` });
    res.redirect(303, `/console/reconcile?run=${out.runId}`);
  });

  r.post('/reconcile/upload', async (req, res) => {
    const values = formFields(req.body);
    const form = parse(uploadForm, values);
    const file = req.file;
    const errors: Record<string, string> = form.ok ? {} : { ...form.errors };
    if (form.ok && !deps.reconcile.takesUpload(form.data.channel)) errors.channel = '该渠道的对账单通过接口下载，无需上传';
    if (req.uploadError || !file || !file.size) errors.file = req.uploadError ?? '请选择对账文件';
    const upload = { ...values, form: 'upload' };
    if (!form.ok || Object.keys(errors).length) return show(req, res, { status: 400, values: upload, errors });
    let out;
    try {
      out = await deps.reconcile.reconcileFile(form.data.channel, form.data.day, file!.buffer);
    } catch (e) {
      if (!isAppError(e)) throw e;
      return show(req, res, { status: HTTP_STATUS[e.code], values: upload, errors: { [e.field]: e.message } });
    }
    const actor = actorOf(req);
    await deps.audit?.record({
      actorAccountId: actor.accountId, action: 'reconcile.upload', targetPersonId: null, ip: actor.ip,
      detail: { channel: out.channel, day: out.day, runId: out.runId, status: out.status, file: file!.originalname, bytes: file!.size, sha256: createHash('sha256').update(file!.buffer).digest('hex') },
    });
    res.redirect(303, `/console/reconcile?run=${out.runId}`);
  });

  r.post('/reconcile/overpayments/:id/refund', async (req, res) => {
    const op = id().safeParse(req.params.id);
    if (!op.success) return show(req, res, { status: 404, error: '记录不存在' });
    let out;
    try {
      out = await deps.refunds.refundOverpayment(actorOf(req), String(op.data));
    } catch (e) {
      if (!isAppError(e)) throw e;
      return show(req, res, { status: 400, error: e.message });
    }
    show(req, res, { notices: [out.status === 'refunded' ? `已原路退款，退费单 ${out.refundNo}` : `退费单 ${out.refundNo} 已提交渠道，处理中`] });
  });

  r.post('/reconcile/overpayments/:id/dismiss', async (req, res) => {
    const op = id().safeParse(req.params.id);
    if (!op.success) return show(req, res, { status: 404, error: '记录不存在' });
    const form = parse(dismissForm, formFields(req.body));
    if (!form.ok) return show(req, res, { status: 400, error: Object.values(form.errors)[0] ?? '请填写原因' });
    try {
      await deps.refunds.dismissOverpayment(actorOf(req), String(op.data), form.data.reason);
    } catch (e) {
      if (!isAppError(e)) throw e;
      return show(req, res, { status: 400, error: e.message });
    }
    show(req, res, { notices: [`第 ${op.data} 笔重复缴费已标记为已处理`] });
  });

  return r;
}
