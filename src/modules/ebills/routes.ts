import { Router, type Response } from 'express';
import { formFields } from '../../http/validate';
import type { Lockout } from '../auth/lockout';
import type { PdfLimit } from './pdf-limit';
import { PdfBusy, PdfFailed } from './pdf-pool';
import type { EbillsService } from './service';

function pdfRefused(res: Response, status: 429 | 503, message: string, retryAfterSeconds: number) {
  res.status(status).set('Retry-After', String(retryAfterSeconds));
  res.render('errors/error', { title: status === 429 ? '下载过于频繁' : '系统繁忙', status, message, crumbs: ['交易查询', '电子票据'] });
}

/** The signed-in person's bills. */
export function ebillsRoutes(deps: { ebills: EbillsService; pdfLimit?: PdfLimit }) {
  const r = Router();

  r.get('/transactions/receipts/:receiptNo/ebill', async (req, res) => {
    const view = await deps.ebills.ofReceipt(req.user!.personId, req.params.receiptNo);
    res.render('ebills/query', { title: '票据查询', crumbs: ['交易查询', '已缴费信息', '票据查询'], nav: 'transactions', ...view });
  });

  r.get('/transactions/ebills/:billCode/:billNo', async (req, res) => {
    const bill = await deps.ebills.one(req.user!.personId, req.params.billCode, req.params.billNo);
    res.render('ebills/one', { title: '电子票据', crumbs: ['交易查询', '已缴费信息', '电子票据'], nav: 'transactions', bill });
  });

  // Drawing a PDF is the heaviest thing a student can ask for: limited per person (at most a few
  // at once and a few a minute) so one person cannot fill the pool everyone's bills wait on.
  r.get('/transactions/ebills/:billCode/:billNo/pdf', async (req, res) => {
    const slot = deps.pdfLimit ? await deps.pdfLimit.acquire(req.user!.personId) : { ok: true as const, release: () => undefined };
    if (!slot.ok) {
      const { concurrent, perMinute } = deps.pdfLimit!;
      return pdfRefused(res, 429, `电子票据下载过于频繁，请稍后再试（每人同时最多下载${concurrent}张，每分钟最多${perMinute}次）。`, slot.retryAfterSeconds);
    }
    try {
      const { filename, body } = await deps.ebills.pdf(req.user!.personId, req.params.billCode, req.params.billNo);
      res.set({ 'Content-Type': 'application/pdf', 'Content-Disposition': `attachment; filename="${filename}"`, 'Cache-Control': 'private, no-store' });
      res.send(body);
    } catch (e) {
      if (e instanceof PdfBusy) return pdfRefused(res, 503, '电子票据生成繁忙，请稍后再试。', 5);
      if (e instanceof PdfFailed) return pdfRefused(res, 503, '电子票据生成失败，请稍后再试。', 5);
      throw e;
    } finally {
      slot.release();
    }
  });

  return r;
}

/**
 * 电子票据查验: public, reached from the QR code on a bill; mounted before requireLogin. Wrong
 * guesses are throttled per bill and per address (shared by all instances), so nobody can walk
 * the million check codes of a bill number to read its amount and payer.
 */
export function ebillVerifyRoutes(deps: { ebills: EbillsService; lockout: Lockout }) {
  const r = Router();
  r.get('/ebills/verify', async (req, res) => {
    const q = formFields(req.query);
    const query = { code: q.code?.trim() ?? '', no: q.no?.trim() ?? '', check: q.check?.trim() ?? '' };
    // A verification link must not be kept by shared caches or leak through a Referer.
    res.set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' });
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
