import { Router } from 'express';
import { z } from 'zod';
import { pathId } from '../../../http/params';
import { parseQuery } from '../../../http/query';
import { scopeOf } from '../context';
import { doneNotice } from '../messages';
import { renderPerson } from './render';
import { page } from '../schemas';
import type { PeopleService } from './service';

const searchQuery = z.object({ q: z.string().trim().max(50, '查询内容过长').optional().default(''), page });

export function peopleRoutes(deps: { people: PeopleService }) {
  const r = Router();

  r.get('/people', async (req, res) => {
    const { data, errors } = parseQuery(searchQuery, req.query);
    const result = await deps.people.search(scopeOf(req.user!), data.q, data.page);
    res.render('console/people/search', { title: '人员查询', crumbs: ['管理控制台', '人员查询'], nav: 'console-people', q: data.q, ...result, notices: errors });
  });

  r.get('/people/:id', async (req, res) => {
    await renderPerson(req, res, deps.people, pathId(req), { notices: doneNotice(req.query.done) });
  });

  return r;
}
