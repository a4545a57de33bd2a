// 验证码: an SVG image whose answer is kept in the database against the session id (captcha/repo.ts),
// never sent to the browser. One answer per image, five minutes, used up by the first check whether
// right or wrong, so a captured answer cannot be replayed, a guess costs a new image, and parallel
// submissions of one answer are accepted once.
import type { Request } from 'express';
import { Router } from 'express';
import type { Knex } from 'knex';
import svgCaptcha from 'svg-captcha';
import { captchaRepo } from './repo';

export const CAPTCHA_PATH = '/captcha.svg';
export const CAPTCHA_TTL_MS = 5 * 60 * 1000;

/** The image's size in CSS pixels, as the pages lay it out. */
export const CAPTCHA_SIZE = { width: 160, height: 60 } as const;

/**
 * Readable at its normal size: capitals and digits only, none that pass for another (0/O/Q, 1/I/L,
 * 2/Z, 5/S, U/V, 9), large, in svg-captcha's dark greys with one noise line. A `background`
 * would switch svg-captcha to random pastel colours (its lib/index.js), which are what made the
 * old image unreadable on a light page.
 */
const CAPTCHA_LOOK = { size: 4, noise: 1, charPreset: '3467ABCDEFGHJKMNPRTWXY', fontSize: 58, ...CAPTCHA_SIZE };

export type CaptchaResult = 'ok' | 'wrong' | 'expired';

export interface Captchas {
  routes(): Router;
  /** Checks and consumes the session's captcha. */
  take(req: Request, typed: string): Promise<CaptchaResult>;
}

export function captchas(db: Knex): Captchas {
  const repo = captchaRepo(db);
  return {
    routes() {
      const r = Router();
      r.get(CAPTCHA_PATH, async (req, res) => {
        const c = svgCaptcha.create(CAPTCHA_LOOK);
        // The answer is bound to this session id: the session must be kept so the id survives.
        if (!req.session.accountId) req.session.anon = true;
        await repo.issue(req.sessionID, c.text.toLowerCase(), CAPTCHA_TTL_MS);
        res.set('Cache-Control', 'no-store').type('image/svg+xml').send(c.data);
      });
      return r;
    },
    async take(req, typed) {
      const answer = await repo.take(req.sessionID);
      if (answer === undefined) return 'expired';
      return typed.trim().toLowerCase() === answer ? 'ok' : 'wrong';
    },
  };
}
