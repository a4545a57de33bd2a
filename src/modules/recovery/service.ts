// 找回密码: 用户名 + 身份证号 → 密保问题 → 答案 (+ 验证码) → a new password under the policy.
// The flow must not become an oracle for "does this student exist": a pair that matches nobody
// gets a stand-in question picked deterministically from the fixed list, its answers fail like
// wrong answers, and every failure counts against the typed user name and the address.
import { createHmac } from 'node:crypto';
import bcrypt from 'bcrypt';
import type { Knex } from 'knex';
import { checkPassword } from '../../domain/password-policy';
import { normaliseAnswer } from '../../domain/security-answer';
import type { AuditRepo } from '../audit/repo';
import type { Lockout } from '../auth/lockout';
import { SECURITY_QUESTIONS } from '../profile/messages';
import { BCRYPT_COST } from '../profile/service';
import type { RecoveryRepo } from './repo';

export const RECOVERY_TTL_MS = 15 * 60 * 1000;

export interface RecoveryState {
  accountId: number | null;
  lockKey: string;
  question: string;
  answered: boolean;
  expires: number;
}

const DUMMY_HASH = bcrypt.hashSync('no-such-answer', BCRYPT_COST);

export function recoveryService(deps: { db: Knex; repo: RecoveryRepo; audit: AuditRepo; lockout: Lockout; loginLockout: Lockout; secret: string }) {
  const { db, repo, audit, lockout, secret } = deps;

  const decoyQuestion = (username: string, idNumber: string) => {
    const h = createHmac('sha256', secret).update(`recover:${username.toLowerCase()}:${idNumber}`).digest();
    return SECURITY_QUESTIONS[h.readUInt32BE(0) % SECURITY_QUESTIONS.length]!;
  };

  return {
    async start(input: { username: string; idNumber: string; ip: string }, now = Date.now()): Promise<
      { kind: 'locked' } | { kind: 'no-question' } | { kind: 'question'; state: RecoveryState }
    > {
      const lockKey = `n${input.username.toLowerCase()}`;
      if (!(await lockout.attempt(lockKey, input.ip))) return { kind: 'locked' };
      const account = await repo.find(input.username, input.idNumber);
      // A pair that matches nobody is a failed guess; a real pair is not.
      if (account) await lockout.release(lockKey, input.ip);
      else await lockout.failed(lockKey, input.ip);
      if (account && !(account.question && account.answerHash)) return { kind: 'no-question' };
      return {
        kind: 'question',
        state: {
          accountId: account?.accountId ?? null, lockKey, answered: false, expires: now + RECOVERY_TTL_MS,
          question: account?.question ?? decoyQuestion(input.username, input.idNumber),
        },
      };
    },

    async answer(state: RecoveryState, answer: string, ip: string): Promise<'ok' | 'wrong' | 'locked'> {
      if (!(await lockout.attempt(state.lockKey, ip))) return 'locked';
      const account = state.accountId ? await repo.byId(state.accountId) : undefined;
      const hash = account?.answerHash ?? DUMMY_HASH;
      const ok = (await bcrypt.compare(normaliseAnswer(answer), hash)) && account !== undefined && account.answerHash !== null;
      if (!ok) {
        await lockout.failed(state.lockKey, ip);
        return 'wrong';
      }
      await lockout.succeeded(state.lockKey, ip);
      return 'ok';
    },

    async reset(state: RecoveryState, next: string, ip: string): Promise<{ ok: true } | { ok: false; errors: Record<string, string> }> {
      const account = state.answered && state.accountId ? await repo.byId(state.accountId) : undefined;
      if (!account) return { ok: false, errors: { next: '找回密码已超时，请重新开始' } };
      const broken = checkPassword(next, { number: account.number, idNumber: account.idNumber });
      if (broken) return { ok: false, errors: { next: broken } };
      const hash = await bcrypt.hash(next, BCRYPT_COST);
      await db.transaction(async (trx) => {
        await repo.setPassword(trx, account.accountId, hash);
        const ended = await repo.endAllSessions(trx, account.accountId);
        await audit.record({
          actorAccountId: account.accountId, action: 'password.recover', targetPersonId: account.personId,
          detail: { field: 'password', via: 'security_question', sessionsEnded: ended }, ip,
        }, trx);
      });
      // A login lock from the guesses that led here should not keep the owner out now.
      await deps.loginLockout.clear(`a${account.accountId}`);
      return { ok: true };
    },
  };
}

export type RecoveryService = ReturnType<typeof recoveryService>;
