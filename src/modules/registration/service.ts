// 新用户注册 (manual 三(一).4): a person outside the school gives 姓名, 身份证号 and 手机号 (and the
// 验证码 of the image), is texted a 6-digit code (src/modules/sms-codes), and with it sets a password
// under the policy; the account is then an external payer's, signed in by 身份证号 + that password.
//
// A 身份证号 anyone already holds (student, staff or outsider) gets one answer: sign in or use 找回密码.
// Nothing typed beside it changes that answer (a mobile that is or is not the holder's, a name
// right or wrong), so the form says only what the answer has to say. Each such lookup costs a
// solved 验证码 and one of the address's code requests, so the form is no cheap way to test ID numbers.
import type { Request } from 'express';
import type { Knex } from 'knex';
import { AppError } from '../../domain/app-error';
import { checkPassword } from '../../domain/password-policy';
import type { AuditRepo } from '../audit/repo';
import type { PasswordHasher } from '../auth/hasher';
import type { Captchas } from '../captcha/routes';
import { BCRYPT_COST } from '../profile/service';
import type { SmsCodes } from '../sms-codes/service';
import { REGISTRATION_MESSAGES as M } from './messages';
import type { RegistrationRepo } from './repo';
import type { RegisterStart } from './schemas';

export const REGISTRATION_TTL_MS = 30 * 60_000;
export const CODE_PURPOSE = 'register';

export interface RegistrationState {
  name: string;
  idNumber: string;
  mobile: string;
  codeId: string;
  /** When this number may be sent another code (the page says so rather than offering it early). */
  nextAt: number;
  expires: number;
}

/** 身份证号's 17th digit: odd for a man, even for a woman (GB 11643). */
export const genderOf = (idNumber: string): '男' | '女' => (Number(idNumber[16]) % 2 === 1 ? '男' : '女');

const registered = () => new AppError('conflict', M.registered, '_', { registered: true });

export function registrationService(deps: { db: Knex; repo: RegistrationRepo; codes: SmsCodes; audit: AuditRepo; hasher: PasswordHasher; captchas: Captchas; now?: () => number }) {
  const { db, repo, codes, audit, hasher, captchas } = deps;
  const now = deps.now ?? Date.now;

  return {
    /** The flow's clock (milliseconds), the one its states' times are in. */
    now,

    /** Step 1: the image's 验证码 (used up whatever follows), the address's limit, the 身份证号, then the code. */
    async start(input: RegisterStart & { req: Request; ip: string }): Promise<RegistrationState> {
      const captcha = await captchas.take(input.req, input.captcha);
      if (captcha !== 'ok') throw new AppError('invalid', captcha === 'expired' ? M.captchaExpired : M.captchaWrong, 'captcha');
      await codes.takeAddress(input.ip);
      if (await repo.registered(db, input.idNumber)) throw registered();
      const sent = await codes.send({ purpose: CODE_PURPOSE, label: M.label, mobile: input.mobile, ip: input.ip });
      return { name: input.name, idNumber: input.idNumber, mobile: input.mobile, codeId: sent.id, nextAt: sent.nextAt, expires: now() + REGISTRATION_TTL_MS };
    },

    /** 重新获取验证码 on step 2: a new code to the same number (the old one is then no longer asked for). */
    async resend(state: RegistrationState, ip: string): Promise<RegistrationState> {
      await codes.takeAddress(ip);
      const sent = await codes.send({ purpose: CODE_PURPOSE, label: M.label, mobile: state.mobile, ip });
      return { ...state, codeId: sent.id, nextAt: sent.nextAt };
    },

    /**
     * Step 2: the password is judged (and hashed) first, so a refused password does not use up the
     * code; then, in one transaction, the code is used and the person and account are created. Of
     * parallel submissions of one right code the first to reach the code's row uses it; the rest
     * find it used and create nothing.
     */
    async complete(state: RegistrationState, input: { code: string; password: string }, ip: string): Promise<{ personId: number; accountId: number }> {
      const broken = checkPassword(input.password, { number: '', idNumber: state.idNumber });
      if (broken) throw new AppError('invalid', broken, 'password');
      const passwordHash = await hasher.hash(input.password, BCRYPT_COST);
      const outcome = await db.transaction(async (trx) => {
        const check = await codes.check(trx, { id: state.codeId, purpose: CODE_PURPOSE, mobile: state.mobile, code: input.code });
        // A wrong try is counted: this transaction commits it, and nothing else.
        if (check.result !== 'ok') return { ok: false as const, refused: codes.refusal({ result: check.result, left: check.left }) };
        await repo.lockIdNumber(trx, state.idNumber);
        // Registered meanwhile (another browser, an import): the code is given back with the rollback.
        if (await repo.registered(trx, state.idNumber)) throw registered();
        const created = await repo.createOutsider(trx, { name: state.name, gender: genderOf(state.idNumber), idNumber: state.idNumber, mobile: state.mobile, passwordHash });
        await audit.record({
          actorAccountId: created.accountId, action: 'account.register', targetPersonId: created.personId,
          detail: { number: created.number, via: 'sms_code' }, ip,
        }, trx);
        return { ok: true as const, created };
      });
      if (!outcome.ok) throw new AppError('invalid', outcome.refused, 'code');
      return outcome.created;
    },
  };
}

export type RegistrationService = ReturnType<typeof registrationService>;
