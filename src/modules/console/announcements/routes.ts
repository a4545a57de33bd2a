import { Router, type Response } from 'express';
import { z } from 'zod';
import { businessDateTime } from '../../../domain/business-date';
import { notFound } from '../../../http/errors';
import { requireRole } from '../../../http/guards';
import { parseQuery } from '../../../http/query';
import { type FieldErrors, formFields, parse } from '../../../http/validate';
import { actorOf, ConsoleError } from '../context';
import { doneNotice } from '../messages';
import { id, page } from '../schemas';
import { announcementAction, announcementForm } from './schemas';
import type { ConsoleAnnouncementsService } from './service';

const localInput = (d: Date | null) => (d ? businessDateTime(d).replace(' ', 'T').slice(0, 16) : '');
export const ANN_STATUS: Record<string, string> = { draft: '草稿', published: '已发布', withdrawn: '已撤回' };

export function consoleAnnouncementRoutes(deps: { announcements: ConsoleAnnouncementsService }) {
  const r = Router();
  const finance = requireRole('finance_admin');
  const svc = deps.announcements;

  const form = (res: Response, annId: number | null, status: string | null, values: Record<string, string>, errors: FieldErrors = {}, code = 200, error?: string) =>
    res.status(code).render('console/announcements/form', {
      title: annId ? '编辑公告' : '新建公告', crumbs: ['管理控制台', '系统公告', annId ? '编辑公告' : '新建公告'], nav: 'console-announcements',
      annId, status, values, errors, error, ANN_STATUS,
    });

  r.get('/announcements', finance, async (req, res) => {
    const { data } = parseQuery(z.object({ page }), req.query);
    const list = await svc.list(data.page);
    res.render('console/announcements/index', { title: '系统公告', crumbs: ['管理控制台', '系统公告'], nav: 'console-announcements', ...list, ANN_STATUS, notices: doneNotice(req.query.done) });
  });

  r.get('/announcements/new', finance, (_req, res) => form(res, null, null, {}));

  r.get('/announcements/:id', finance, async (req, res) => {
    const aid = id().safeParse(req.params.id);
    const a = aid.success ? await svc.get(aid.data) : undefined;
    if (!a) throw notFound('公告不存在');
    form(res, a.id, a.status, { title: a.title, body: a.body, publish_from: localInput(a.publishFrom), publish_until: localInput(a.publishUntil) });
  });

  r.post(['/announcements', '/announcements/:id'], finance, async (req, res) => {
    const aid = req.params.id === undefined ? null : id().safeParse(req.params.id);
    if (aid && !aid.success) throw notFound('公告不存在');
    const annId = aid ? aid.data : null;
    const existing = annId ? await svc.get(annId) : null;
    if (annId && !existing) throw notFound('公告不存在');
    const values = formFields(req.body);
    const act = parse(announcementAction, values);
    const f = parse(announcementForm, values, { multiline: ['body'] });
    if (!act.ok || !f.ok) return form(res, annId, existing?.status ?? null, values, { ...(act.ok ? {} : act.errors), ...(f.ok ? {} : f.errors) }, 400);
    try {
      await svc.save(actorOf(req), annId, f.data, act.data.action);
    } catch (e) {
      if (!(e instanceof ConsoleError)) throw e;
      return form(res, annId, existing?.status ?? null, values, { [e.field]: e.message }, 400, e.message);
    }
    res.redirect(303, `/console/announcements?done=${act.data.action === 'save' ? 'saved' : act.data.action === 'publish' ? 'published' : 'withdrawn'}`);
  });

  return r;
}
