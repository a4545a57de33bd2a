// 系统登陆: students sign in with 学号 and (until changed) the last 8 of their ID number; other
// users with 用户编号 and password; external payers first with 身份证号 + 姓名. Every wrong
// credential gets the same answer and the same cost, so the form reveals no account. Guesses are
// throttled by throttle.ts: past its limits a 验证码 is asked for, and only the address that keeps
// failing at an account waits; the right password with a 验证码 always gets in.
import { timingSafeEqual } from 'node:crypto';
import bcrypt from 'bcrypt';
import type { Request } from 'express';
import { AppError, type AppErrorCode } from '../../domain/app-error';
import { initialPassword } from '../../domain/password-policy';
import type { AuditRepo } from '../audit/repo';
import type { PasswordHasher } from './hasher';
import type { AuthRepo, LoginAccount } from './repo';
import type { Captchas } from '../captcha/routes';
import { unknownNameKey } from './login-name';
import { AUTH_MESSAGES } from './messages';
import { ACCOUNT_CAPTCHA_AFTER, typedCaptcha, type Throttle } from './throttle';

export interface SignedIn {
  accountId: number;
  mustChangePassword: boolean;
}

/**
 * A refused login: the message, and in `details.captcha` whether the form shown again must carry
 * the 验证码 field. The failure has been counted by then (throttle.ts): refusing writes that much.
 */
const refused = (code: AppErrorCode, message: string, captcha: boolean, field = '_') => new AppError(code, message, field, { captcha });

export interface LoginInput {
  username: string;
  password: string;
  /** What was typed in 验证码 ('' when the field was not shown). */
  captcha: string;
  ip: string;
  req: Request;
  /** The hashing place the app took for this request on its arrival (else one is taken here). */
  turn?: (PasswordHasher & { release(): void }) | undefined;
}

const CAPTCHA_REASON = { missing: 'captcha', wrong: 'captchaWrong', expired: 'captchaExpired' } as const;

// A real hash of a random string: comparing against it costs what a real compare costs.
const DUMMY_HASH = bcrypt.hashSync('timing-equaliser-not-a-password', 10);

export function authService(deps: { repo: AuthRepo; throttle: Throttle; captchas: Captchas; hasher: PasswordHasher; audit: AuditRepo }) {
  const { repo, throttle, captchas, hasher, audit } = deps;

  return {
    /**
     * Refused with too_many while the address must wait, invalid beside 验证码 when one is missing
     * or wrong, and unauthenticated for a wrong name or password or a stopped account.
     */
    async login(input: LoginInput): Promise<SignedIn> {
      // A place in the hashing queue is held from the start: a sign-in that would find it full is
      // refused now (BusyError), before its database work, not after it. The app takes it on the
      // request's arrival, before the session is read (src/http/shed-hashing.ts).
      const turn = input.turn ?? hasher.reserve();
      try {
        return await signIn(input, turn);
      } finally {
        turn.release();
      }
    },

    currentUser: (accountId: number) => repo.currentUser(accountId),

    /** Whether the login form for this address shows the 验证码 field before anything is typed. */
    captchaNeeded: (ip: string) => throttle.captchaNeeded(null, ip),
  };

  /** One sign-in, hashing in the place `hasher` holds. */
  async function signIn(input: LoginInput, hasher: PasswordHasher): Promise<SignedIn> {
    const username = input.username.trim();
    const account = await repo.findForLogin(username);
    const lockKey = account ? `a${account.accountId}` : `u${unknownNameKey(username)}`;
    const gate = await throttle.attempt(lockKey, input.ip, typedCaptcha(captchas, input.req, input.captcha));
    if (gate.kind === 'wait') throw refused('too_many', AUTH_MESSAGES.wait(gate.seconds), true);
    if (gate.kind === 'captcha') throw refused('invalid', AUTH_MESSAGES[CAPTCHA_REASON[gate.result]], true, 'captcha');

    let ok: boolean;
    try {
      ok = account ? await verifyPassword(hasher, account, input.password) : (await hasher.compare(input.password, DUMMY_HASH), false);
    } catch (e) {
      // Refused for load (BusyError), not a guess: the point reserved for it goes back.
      await throttle.release(lockKey, input.ip);
      throw e;
    }
    if (!account || !ok) {
      await throttle.failed(lockKey, input.ip);
      // In the audit log for finance (an account's own history, so names that exist nowhere are not
      // written): the failure, and the one guess that brought the account to its 验证码 limit.
      if (account) {
        const about = { actorAccountId: null, targetPersonId: account.personId, ip: input.ip };
        await audit.record({ ...about, action: 'auth.login_failed', detail: { cause: 'password', failures: gate.failures } });
        if (gate.failures === ACCOUNT_CAPTCHA_AFTER) await audit.record({ ...about, action: 'auth.login_limited', detail: { failures: gate.failures } });
      }
      throw refused('unauthenticated', AUTH_MESSAGES.invalid, await throttle.captchaNeeded(lockKey, input.ip));
    }
    // The right password: the throttle forgives, and what the sign-in writes beside (the last login,
    // the audit entry, each given by its table's owner) goes in the throttle's statement, one
    // statement where there were three: each cost CPU that bcrypt wants. All of it or none.
    if (account.status !== 'active') {
      await throttle.succeeded(lockKey, input.ip, [
        audit.recordSql({ actorAccountId: null, targetPersonId: account.personId, ip: input.ip, action: 'auth.login_failed', detail: { cause: 'disabled' } }),
      ]);
      throw refused('unauthenticated', AUTH_MESSAGES.disabled, false);
    }
    await throttle.succeeded(lockKey, input.ip, [
      repo.recordLoginSql(account.accountId),
      audit.recordSql({ actorAccountId: account.accountId, targetPersonId: account.personId, ip: input.ip, action: 'auth.login' }),
    ]);
    return { accountId: account.accountId, mustChangePassword: account.mustChangePassword || account.passwordHash === null };
  }
}

export type AuthService = ReturnType<typeof authService>;

/** Exported for the password and recovery flows, which must accept exactly what login accepts. */
export async function verifyPassword(hasher: PasswordHasher, account: Pick<LoginAccount, 'passwordHash' | 'kind' | 'idNumber' | 'name'>, password: string): Promise<boolean> {
  if (account.passwordHash) return hasher.compare(password, account.passwordHash);
  // Still on the initial password, which is derived from data we hold rather than stored.
  await hasher.compare(password, DUMMY_HASH);
  const expected = account.kind === 'external' ? account.name : account.idNumber ? initialPassword(account.idNumber) : null;
  if (!expected) return false;
  // The X of an ID number is stored in capitals, but students type it either way.
  const typed = account.kind === 'external' ? password.trim() : password.replace(/x$/, 'X');
  return safeEqual(typed, expected);
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
