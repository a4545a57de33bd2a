// 找回密码: 用户名 + 身份证号 → 密保问题 → 答案 (+ 验证码) → a new password under the policy.
// The flow must not become an oracle for "does this student exist": a pair that matches nobody,
// and a real pair without 密保 (which could not go further anyway), both get a stand-in question
// picked deterministically from the fixed list, by the same work, and its answers fail like wrong
// answers (the answer page names the finance phones for whoever has no 密保). Every failure counts
// against the typed user name and the address in throttle.ts, which asks for a 验证码 and slows the
// guessing address rather than locking the owner out.
import { createHmac } from 'node:crypto';
import bcrypt from 'bcrypt';
import type { Request } from 'express';
import type { Knex } from 'knex';
import { AppError } from '../../domain/app-error';
import { checkPassword } from '../../domain/password-policy';
import { normaliseAnswer } from '../../domain/security-answer';
import type { AuditRepo } from '../audit/repo';
import type { PasswordHasher } from '../auth/hasher';
import { unknownNameKey } from '../auth/login-name';
import { typedCaptcha, type Throttle } from '../auth/throttle';
import type { Captchas } from '../captcha/routes';
import { SECURITY_QUESTIONS } from '../profile/messages';
import { BCRYPT_COST } from '../profile/service';
import { RECOVERY_MESSAGES as M } from './messages';
import type { RecoveryRepo } from './repo';

export const RECOVERY_TTL_MS = 15 * 60 * 1000;

export interface RecoveryState {
  accountId: number | null;
  lockKey: string;
  question: string;
  answered: boolean;
  expires: number;
}

const CAPTCHA_KIND = { missing: 'captcha', wrong: 'captchaWrong', expired: 'captchaExpired' } as const;

const DUMMY_HASH = bcrypt.hashSync('no-such-answer', BCRYPT_COST);

export function recoveryService(deps: { db: Knex; repo: RecoveryRepo; audit: AuditRepo; throttle: Throttle; loginThrottle: Throttle; captchas: Captchas; secret: string; hasher: PasswordHasher }) {
  const { db, repo, audit, throttle, captchas, secret, hasher } = deps;

  const decoyQuestion = (username: string, idNumber: string) => {
    const h = createHmac('sha256', secret).update(`recover:${username.toLowerCase()}:${idNumber}`).digest();
    return SECURITY_QUESTIONS[h.readUInt32BE(0) % SECURITY_QUESTIONS.length]!;
  };

  return {
    /**
     * Step 1. `captcha` is what was typed in 验证码 ('' when the page did not show the field).
     * Refused with too_many while the address must wait, and beside 验证码 when one is missing or wrong.
     */
    async start(input: { username: string; idNumber: string; ip: string; captcha: string; req: Request }, now = Date.now()): Promise<RecoveryState> {
      // One counter per account however it is named (an external payer by number or by 身份证号),
      // and a name that matches nobody spelled as the lookup tells names apart (auth/login-name.ts).
      const named = await repo.byName(input.username);
      const lockKey = named ? `a${named.accountId}` : `n${unknownNameKey(input.username)}`;
      const gate = await throttle.attempt(lockKey, input.ip, typedCaptcha(captchas, input.req, input.captcha));
      if (gate.kind === 'wait') throw new AppError('too_many', M.wait(gate.seconds));
      if (gate.kind === 'captcha') throw new AppError('invalid', M[CAPTCHA_KIND[gate.result]], 'captcha');
      const found = await repo.find(input.username, input.idNumber);
      const decoy = decoyQuestion(input.username, input.idNumber);
      const account = found?.question && found.answerHash ? found : undefined;
      // Every start counts as a failed guess, whatever the pair: forgiving a usable pair here would
      // tell it apart from a wrong one (by when the 验证码 is asked for). Only a right answer
      // (answer() below) forgives.
      await throttle.failed(lockKey, input.ip);
      return {
        accountId: account?.accountId ?? null, lockKey, answered: false, expires: now + RECOVERY_TTL_MS,
        question: account?.question ?? decoy,
      };
    },

    /** Whether step 1 shows the 验证码 field before anything is typed (this address failed often). */
    captchaNeeded: (ip: string) => throttle.captchaNeeded(null, ip),

    /** Step 2; the route has already checked the 验证码 this page always carries. A wrong answer is refused beside it. */
    async answer(state: RecoveryState, answer: string, ip: string): Promise<void> {
      const wrong = () => new AppError('invalid', M.answerWrong, 'answer');
      // The page always carries a 验证码 and the route has checked it: the guess is a checked one.
      const gate = await throttle.attempt(state.lockKey, ip, async () => 'ok');
      if (gate.kind !== 'check') throw wrong();
      const account = state.accountId ? await repo.byId(state.accountId) : undefined;
      const hash = account?.answerHash ?? DUMMY_HASH;
      // Refused for load (BusyError): not a guess, so its reserved point goes back.
      const matched = await hasher.compare(normaliseAnswer(answer), hash).catch(async (e: unknown) => {
        await throttle.release(state.lockKey, ip);
        throw e;
      });
      const ok = matched && account !== undefined && account.answerHash !== null;
      if (!ok) {
        await throttle.failed(state.lockKey, ip);
        throw wrong();
      }
      await throttle.succeeded(state.lockKey, ip);
    },

    /** Step 3: the new password, refused beside its field when the policy does not allow it. */
    async reset(state: RecoveryState, next: string, ip: string): Promise<void> {
      const account = state.answered && state.accountId ? await repo.byId(state.accountId) : undefined;
      if (!account) throw new AppError('invalid', M.expired, 'next');
      const broken = checkPassword(next, { number: account.number, idNumber: account.idNumber });
      if (broken) throw new AppError('invalid', broken, 'next');
      const hash = await hasher.hash(next, BCRYPT_COST);
      await db.transaction(async (trx) => {
        await repo.setPassword(trx, account.accountId, hash);
        const ended = await repo.endAllSessions(trx, account.accountId);
        await audit.record({
          actorAccountId: account.accountId, action: 'password.recover', targetPersonId: account.personId,
          detail: { field: 'password', via: 'security_question', sessionsEnded: ended }, ip,
        }, trx);
      });
      // The login failures that led here should not ask the owner for a 验证码 now.
      await deps.loginThrottle.clear(`a${account.accountId}`);
    },
  };
}

export type RecoveryService = ReturnType<typeof recoveryService>;
