import { Router } from 'express';
import { formFields } from '../../http/validate';
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

/** 电子票据查验: public, reached from the QR code on a bill; mounted before requireLogin. */
export function ebillVerifyRoutes(deps: { ebills: EbillsService }) {
  const r = Router();
  r.get('/ebills/verify', async (req, res) => {
    const q = formFields(req.query);
    const result = await deps.ebills.verify({ code: q.code?.trim(), no: q.no?.trim(), check: q.check?.trim() });
    if (result.asked && !result.found) res.status(404);
    // A verification link must not be kept by shared caches or leak through a Referer.
    res.set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' });
    res.render('ebills/verify', { title: '电子票据查验', crumbs: ['电子票据查验'], result, query: { code: q.code ?? '', no: q.no ?? '', check: q.check ?? '' } });
  });
  return r;
}
