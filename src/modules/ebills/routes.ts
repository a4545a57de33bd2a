import { Router, type Response } from 'express';
import { z } from 'zod';
import { formFields, parse } from '../../http/validate';
import { typedCaptcha, type Throttle } from '../auth/throttle';
import { CAPTCHA_PATH, type Captchas } from '../captcha/routes';
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
 * guesses are throttled per bill, per (bill, address) and per address (throttle.ts, shared by all
 * instances), so nobody can walk the million check codes of a bill number to read its amount and
 * payer: past the limits a 验证码 is asked for and the guessing address waits between guesses. The
 * holder of the bill, elsewhere, always gets it checked (with a 验证码 at most).
 */
/**
 * The check's fields as typed (lengths as the form's maxlength), each empty or in the format the
 * service accepts (ebills/service.ts): a code or number that can match no bill is refused here,
 * before the throttle writes a row for it, so made-up keys cannot fill auth_throttle.
 */
const field = (max: number, message: string, format?: RegExp) => {
  const s = z.string().trim().max(max, message);
  return (format ? s.refine((v) => v === '' || format.test(v), message) : s).default('');
};
const BILL_NUMBER = /^[0-9A-Za-z]{1,16}$/;
const verifyQuery = z.object({
  code: field(16, '票据代码不正确', BILL_NUMBER), no: field(16, '票据号码不正确', BILL_NUMBER),
  check: field(6, '校验码不正确', /^\d{6}$/), captcha: field(10, '验证码不正确'),
  /** 看不清，换一张: the form again with a new image, the numbers kept, nothing checked. */
  refresh: z.literal('1').optional().catch(undefined),
});

/** This page's 换一张 link: the numbers typed, and refresh=1 so that loading it checks nothing. */
const refreshLink = (q: Record<string, string>) =>
  `/ebills/verify?${new URLSearchParams({ code: q.code ?? '', no: q.no ?? '', check: q.check ?? '', refresh: '1' }).toString()}`;

export function ebillVerifyRoutes(deps: { ebills: EbillsService; throttle: Throttle; captchas: Captchas }) {
  const r = Router();
  const { throttle, captchas } = deps;
  r.get('/ebills/verify', async (req, res) => {
    const q = formFields(req.query);
    // A verification link must not be kept by shared caches or leak through a Referer.
    res.set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' });
    const ip = req.ip ?? '';
    const render = (status: number, view: { result: Record<string, unknown>; query: Record<string, string>; captcha: boolean; captchaError?: string; errors?: Record<string, string> }) =>
      res.status(status).render('ebills/verify', {
        title: '电子票据查验', crumbs: ['电子票据查验'], captchaSrc: CAPTCHA_PATH, errors: {}, ...view,
        scripts: view.captcha ? ['captcha.js'] : [], captchaRefresh: refreshLink(view.query),
      });
    const parsed = parse(verifyQuery, q);
    if (!parsed.ok) {
      const typed = { code: q.code ?? '', no: q.no ?? '', check: q.check ?? '' };
      return render(400, { result: { asked: false }, query: typed, errors: parsed.errors, captcha: await throttle.captchaNeeded(null, ip) });
    }
    const query = parsed.data;
    if (query.refresh) return render(200, { result: { asked: false }, query, captcha: true });
    const billKey = `${query.code}|${query.no}`.slice(0, 40);
    const asked = Boolean(query.code && query.no && query.check);
    if (!asked) return render(200, { result: await deps.ebills.verify(query), query, captcha: await throttle.captchaNeeded(null, ip) });

    const gate = await throttle.attempt(billKey, ip, typedCaptcha(captchas, req, query.captcha));
    if (gate.kind === 'wait') return render(429, { result: { asked: true, found: false, wait: VERIFY_MESSAGES.wait(gate.seconds) }, query, captcha: true });
    if (gate.kind === 'captcha') return render(400, { result: { asked: false, found: false }, query, captcha: true, captchaError: VERIFY_MESSAGES[gate.result] });
    const result = await deps.ebills.verify(query);
    if (result.asked && !result.found) {
      await throttle.failed(billKey, ip);
      return render(404, { result, query, captcha: await throttle.captchaNeeded(billKey, ip) });
    }
    await throttle.succeeded(billKey, ip);
    render(200, { result, query, captcha: false });
  });
  return r;
}

const VERIFY_MESSAGES = {
  wait: (seconds: number) => `查验失败次数过多，请${seconds}秒后再试。`,
  missing: '请输入验证码',
  wrong: '验证码不正确',
  expired: '验证码已失效，请重新输入',
} as const;
