// 验证码: an SVG image whose answer lives only in the session. One answer per image, five minutes,
// used up by the first check whether right or wrong, so a captured answer cannot be replayed and
// a guess costs a new image.
import type { Request } from 'express';
import { Router } from 'express';
import svgCaptcha from 'svg-captcha';

export const CAPTCHA_PATH = '/captcha.svg';
export const CAPTCHA_TTL_MS = 5 * 60 * 1000;

export type CaptchaResult = 'ok' | 'wrong' | 'expired';

export function captchaRoutes() {
  const r = Router();
  r.get(CAPTCHA_PATH, (req, res) => {
    // Letters that look alike (0/O, 1/l/I) make a person fail a captcha a machine would pass.
    const c = svgCaptcha.create({ size: 4, noise: 2, ignoreChars: '0oO1lIi', width: 120, height: 40, fontSize: 44, background: '#f4f7fb' });
    req.session.captcha = { text: c.text.toLowerCase(), expires: Date.now() + CAPTCHA_TTL_MS };
    res.set('Cache-Control', 'no-store').type('image/svg+xml').send(c.data);
  });
  return r;
}

/** Checks and consumes the session's captcha. */
export function takeCaptcha(req: Request, typed: string, now = Date.now()): CaptchaResult {
  const c = req.session.captcha;
  delete req.session.captcha;
  if (!c || c.expires < now) return 'expired';
  return typed.trim().toLowerCase() === c.text ? 'ok' : 'wrong';
}
