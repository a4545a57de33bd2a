// 系统登陆: students sign in with 学号 and (until changed) the last 8 of their ID number; other
// users with 用户编号 and password; external payers first with 身份证号 + 姓名. Every wrong
// credential gets the same answer and the same cost, so the form reveals no account.
import { timingSafeEqual } from 'node:crypto';
import bcrypt from 'bcrypt';
import { initialPassword } from '../../domain/password-policy';
import type { AuthRepo, LoginAccount } from './repo';
import type { Lockout } from './lockout';

export type LoginResult =
  | { ok: true; accountId: number; mustChangePassword: boolean }
  | { ok: false; reason: 'invalid' | 'locked' | 'disabled' };

// A real hash of a random string: comparing against it costs what a real compare costs.
const DUMMY_HASH = bcrypt.hashSync('timing-equaliser-not-a-password', 10);

export function authService(deps: { repo: AuthRepo; lockout: Lockout }) {
  const { repo, lockout } = deps;

  return {
    async login(input: { username: string; password: string; ip: string }): Promise<LoginResult> {
      const username = input.username.trim();
      const account = await repo.findForLogin(username);
      const lockKey = account ? `a${account.accountId}` : `u${username.toLowerCase()}`;
      if (!(await lockout.attempt(lockKey, input.ip))) return { ok: false, reason: 'locked' };

      const ok = account ? await verifyPassword(account, input.password) : (await bcrypt.compare(input.password, DUMMY_HASH), false);
      if (!account || !ok) {
        await lockout.failed(lockKey, input.ip);
        return { ok: false, reason: 'invalid' };
      }
      await lockout.succeeded(lockKey, input.ip);
      if (account.status !== 'active') return { ok: false, reason: 'disabled' };
      await repo.recordLogin(account.accountId);
      return { ok: true, accountId: account.accountId, mustChangePassword: account.mustChangePassword || account.passwordHash === null };
    },

    currentUser: (accountId: number) => repo.currentUser(accountId),
  };
}

export type AuthService = ReturnType<typeof authService>;

/** Exported for the password and recovery flows, which must accept exactly what login accepts. */
export async function verifyPassword(account: Pick<LoginAccount, 'passwordHash' | 'kind' | 'idNumber' | 'name'>, password: string): Promise<boolean> {
  if (account.passwordHash) return bcrypt.compare(password, account.passwordHash);
  // Still on the initial password, which is derived from data we hold rather than stored.
  await bcrypt.compare(password, DUMMY_HASH);
  const expected = account.kind === 'external' ? account.name : account.idNumber ? initialPassword(account.idNumber) : null;
  if (!expected) return false;
  // The manual writes the X in capitals, but students type it either way.
  const typed = account.kind === 'external' ? password.trim() : password.replace(/x$/, 'X');
  return safeEqual(typed, expected);
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
