import { Router } from 'express';
import { z } from 'zod';
import { requireRole } from '../../../http/guards';
import { parseQuery } from '../../../http/query';
import { optionalDay, page } from '../schemas';
import type { AuditViewer } from './service';

const text = (max: number, msg: string) => z.string().trim().max(max, msg).optional().transform((v) => v || undefined);

const auditQuery = z.object({
  actor: text(32, '操作人编号过长'),
  action: text(64, '操作类型过长'),
  target: text(32, '对象编号过长'),
  from: optionalDay(),
  to: optionalDay(),
  page,
});

export function auditRoutes(deps: { audit: AuditViewer }) {
  const r = Router();
  r.get('/audit', requireRole('finance_admin'), async (req, res) => {
    const { data, errors } = parseQuery(auditQuery, req.query);
    const view = await deps.audit.list(data);
    res.render('console/audit/index', { title: '审计日志', crumbs: ['管理控制台', '审计日志'], nav: 'console-audit', q: data, ...view, notices: errors });
  });
  return r;
}
