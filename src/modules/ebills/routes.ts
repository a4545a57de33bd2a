import { Router } from 'express';
import { formFields } from '../../http/validate';
import type { Throttle } from '../auth/throttle';
import { CAPTCHA_PATH, type Captchas } from '../captcha/routes';
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
 * guesses are throttled per bill, per (bill, address) and per address (throttle.ts, shared by all
 * instances), so nobody can walk the million check codes of a bill number to read its amount and
 * payer: past the limits a 验证码 is asked for and the guessing address waits between guesses. The
 * holder of the bill, elsewhere, always gets it checked (with a 验证码 at most).
 */
export function ebillVerifyRoutes(deps: { ebills: EbillsService; throttle: Throttle; captchas: Captchas }) {
  const r = Router();
  const { throttle, captchas } = deps;
  r.get('/ebills/verify', async (req, res) => {
    const q = formFields(req.query);
    const query = { code: q.code?.trim() ?? '', no: q.no?.trim() ?? '', check: q.check?.trim() ?? '' };
    // A verification link must not be kept by shared caches or leak through a Referer.
    res.set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' });
    const billKey = `${query.code}|${query.no}`.slice(0, 40);
    const ip = req.ip ?? '';
    const asked = Boolean(query.code && query.no && query.check);
    const render = (status: number, result: Record<string, unknown>, captcha: boolean, captchaError?: string) => res.status(status).render('ebills/verify', {
      title: '电子票据查验', crumbs: ['电子票据查验'], result, query, captcha, captchaSrc: CAPTCHA_PATH, captchaError,
      scripts: captcha ? ['captcha.js'] : [],
    });
    if (!asked) return render(200, await deps.ebills.verify(query), await throttle.captchaNeeded(null, ip));

    const gate = await throttle.attempt(billKey, ip);
    if (gate.kind === 'wait') return render(429, { asked: true, found: false, wait: VERIFY_MESSAGES.wait(gate.seconds) }, true);
    if (gate.captcha) {
      const typed = (q.captcha ?? '').trim().slice(0, 10);
      const captcha = typed ? await captchas.take(req, typed) : 'missing';
      if (captcha !== 'ok') {
        await throttle.release(billKey, ip);
        return render(400, { asked: false, found: false }, true, VERIFY_MESSAGES[captcha]);
      }
    }
    const result = await deps.ebills.verify(query);
    if (result.asked && !result.found) return render(404, result, await throttle.captchaNeeded(billKey, ip));
    await throttle.succeeded(billKey, ip);
    render(200, result, false);
  });
  return r;
}

const VERIFY_MESSAGES = {
  wait: (seconds: number) => `查验失败次数过多，请${seconds}秒后再试。`,
  missing: '请输入验证码',
  wrong: '验证码不正确',
  expired: '验证码已失效，请重新输入',
} as const;
