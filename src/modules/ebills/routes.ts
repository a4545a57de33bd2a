import { Router } from 'express';
import { z } from 'zod';
import { formFields, parse } from '../../http/validate';
import type { Lockout } from '../auth/lockout';
import type { EbillsService } from './service';

/** The signed-in person's bills. */
export function ebillsRoutes(deps: { ebills: EbillsService }) {
  const r = Router();

  r.get('/transactions/receipts/:receiptNo/ebill', async (req, res) => {
    const view = await deps.ebills.ofReceipt(req.user!.personId, req.params.receiptNo);
    res.render('ebills/query', { title: '票据查询', crumbs: ['交易查询', '已缴费信息', '票据查询'], nav: 'transactions', ...view });
  });

  r.get('/transactions/ebills/:billCode/:billNo', async (req, res) => {
    const bill = await deps.ebills.one(req.user!.personId, req.params.billCode, req.params.billNo);
    res.render('ebills/one', { title: '电子票据', crumbs: ['交易查询', '已缴费信息', '电子票据'], nav: 'transactions', bill });
  });

  r.get('/transactions/ebills/:billCode/:billNo/pdf', async (req, res) => {
    const { filename, body } = await deps.ebills.pdf(req.user!.personId, req.params.billCode, req.params.billNo);
    res.set({ 'Content-Type': 'application/pdf', 'Content-Disposition': `attachment; filename="${filename}"`, 'Cache-Control': 'private, no-store' });
    res.send(body);
  });

  return r;
}

/**
 * 电子票据查验: public, reached from the QR code on a bill; mounted before requireLogin. Wrong
 * guesses are throttled per bill and per address (shared by all instances), so nobody can walk
 * the million check codes of a bill number to read its amount and payer.
 */
/** The check's three fields as typed (lengths as the form's maxlength); their format is the service's. */
const field = (max: number, message: string) => z.string().trim().max(max, message).default('');
const verifyQuery = z.object({ code: field(16, '票据代码不正确'), no: field(16, '票据号码不正确'), check: field(6, '校验码不正确') });

export function ebillVerifyRoutes(deps: { ebills: EbillsService; lockout: Lockout }) {
  const r = Router();
  r.get('/ebills/verify', async (req, res) => {
    const q = formFields(req.query);
    // A verification link must not be kept by shared caches or leak through a Referer.
    res.set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' });
    const parsed = parse(verifyQuery, q);
    if (!parsed.ok) {
      const typed = { code: q.code ?? '', no: q.no ?? '', check: q.check ?? '' };
      return res.status(400).render('ebills/verify', { title: '电子票据查验', crumbs: ['电子票据查验'], result: { asked: false }, query: typed, errors: parsed.errors });
    }
    const query = parsed.data;
    const billKey = `${query.code}|${query.no}`.slice(0, 40);
    const ip = req.ip ?? '';
    const asked = Boolean(query.code && query.no && query.check);
    if (asked && !(await deps.lockout.attempt(billKey, ip))) {
      res.status(429);
      return res.render('ebills/verify', { title: '电子票据查验', crumbs: ['电子票据查验'], result: { asked: true, found: false, locked: true }, query });
    }
    const result = await deps.ebills.verify(query);
    if (result.asked && !result.found) {
      await deps.lockout.failed(billKey, ip);
      res.status(404);
    } else if (asked) {
      await deps.lockout.release(billKey, ip);
    }
    res.render('ebills/verify', { title: '电子票据查验', crumbs: ['电子票据查验'], result, query });
  });
  return r;
}
