import { Router, type Response } from 'express';
import { z } from 'zod';
import { AppError } from '../../../domain/app-error';
import { businessDateTime } from '../../../domain/business-date';
import { formAction } from '../../../http/form-route';
import { requireRole } from '../../../http/guards';
import { optionalPathId, pathId } from '../../../http/params';
import { parseQuery } from '../../../http/query';
import { type FieldErrors, parse } from '../../../http/validate';
import { actorOf } from '../context';
import { doneNotice } from '../messages';
import { page } from '../schemas';
import { announcementAction, announcementForm } from './schemas';
import type { ConsoleAnnouncementsService } from './service';

const localInput = (d: Date | null) => (d ? businessDateTime(d).replace(' ', 'T').slice(0, 16) : '');
const NO_SUCH = '公告不存在';
const DONE_CODE = { save: 'saved', publish: 'published', withdraw: 'withdrawn' } as const;

export function consoleAnnouncementRoutes(deps: { announcements: ConsoleAnnouncementsService }) {
  const r = Router();
  const finance = requireRole('finance_admin');
  const svc = deps.announcements;

  const form = (res: Response, annId: number | null, status: string | null, values: Record<string, string>, errors: FieldErrors = {}, code = 200, error?: string) =>
    res.status(code).render('console/announcements/form', {
      title: annId ? '编辑公告' : '新建公告', crumbs: ['管理控制台', '系统公告', annId ? '编辑公告' : '新建公告'], nav: 'console-announcements',
      annId, status, values, errors, error,
    });

  r.get('/announcements', finance, async (req, res) => {
    const { data } = parseQuery(z.object({ page }), req.query);
    const list = await svc.list(data.page);
    res.render('console/announcements/index', { title: '系统公告', crumbs: ['管理控制台', '系统公告'], nav: 'console-announcements', ...list, notices: doneNotice(req.query.done) });
  });

  r.get('/announcements/new', finance, (_req, res) => form(res, null, null, {}));

  r.get('/announcements/:id', finance, async (req, res) => {
    const a = await svc.get(pathId(req, 'id', NO_SUCH));
    if (!a) throw new AppError('not_found', NO_SUCH);
    form(res, a.id, a.status, { title: a.title, body: a.body, publish_from: localInput(a.publishFrom), publish_until: localInput(a.publishUntil) });
  });

  r.post(['/announcements', '/announcements/:id'], finance, formAction({
    load: async (req) => {
      const annId = optionalPathId(req, 'id', NO_SUCH);
      const existing = annId ? await svc.get(annId) : null;
      if (annId && !existing) throw new AppError('not_found', NO_SUCH);
      return { annId, status: (existing?.status as string | undefined) ?? null };
    },
    // The button pressed (save, publish, withdraw) and the text, each reported beside its field.
    schema: (values) => {
      // The button alone: parsing every field here would check the text as single-line and refuse
      // the line breaks that the form's own parse allows in 内容.
      const act = parse(announcementAction, { action: values.action });
      const f = parse(announcementForm, values, { multiline: ['body'] });
      if (act.ok && f.ok) return { ok: true, data: { ...f.data, action: act.data.action } };
      return { ok: false, errors: { ...(act.ok ? {} : act.errors), ...(f.ok ? {} : f.errors) } };
    },
    render: (_req, res, f, ann) => form(res, ann.annId, ann.status, f.values, f.errors, f.status, f.error),
    run: ({ action, ...text }, req, ann) => svc.save(actorOf(req), ann.annId, text, action),
    redirect: (_id, d) => `/console/announcements?done=${DONE_CODE[d.action]}`,
  }));

  return r;
}
