// 个人信息 actions. Each is one transaction with its audit entry; none takes another person's id:
// the account comes from the session, never from the form or the URL.
import type { Knex } from 'knex';
import { AppError } from '../../domain/app-error';
import { decryptCard, encryptCard } from '../../domain/card-crypto';
import { maskCard } from '../../domain/mask';
import { checkPassword } from '../../domain/password-policy';
import { normaliseAnswer } from '../../domain/security-answer';
import type { AuditRepo } from '../audit/repo';
import type { ContactState } from '../email/repo';
import type { EmailService } from '../email/service';
import type { PasswordHasher } from '../auth/hasher';
import { LOCK_SECONDS, type Lockout } from '../auth/lockout';
import { verifyPassword } from '../auth/service';
import { PROFILE_MESSAGES as M } from './messages';
import type { ContactFields, ProfileRepo, ProfileRow } from './repo';
import type { ProfileEdit } from './schemas';

export const BCRYPT_COST = 10;

/** 邮箱's state on 个人信息: 已确认, 待确认, 已退订 — and whether e-mail is on at all. */
export interface EmailState extends ContactState {
  enabled: boolean;
}

export interface ProfileView extends Omit<ProfileRow, 'bankCardEnc' | 'bankCardLast4' | 'emailContact'> {
  /** 6222 **** **** 1234, or '' when no card is on file. */
  bankCardMasked: string;
  /** Read in the same statement as the rest (repo.ts profile). */
  emailState: EmailState;
}

interface Actor {
  accountId: number;
  ip: string;
}

/** `email`: a new 邮箱 gets its confirmation link (only a confirmed address receives reminders). */
export function profileService(deps: { db: Knex; repo: ProfileRepo; audit: AuditRepo; bankCardKey: Buffer; reauthLockout: Lockout; hasher: PasswordHasher; email?: EmailService }) {
  const { db, repo, audit, bankCardKey, reauthLockout, hasher } = deps;

  /**
   * The current password, asked again before 密保 or the refund card changes: a session left open
   * on a lab PC must not be enough to redirect refunds. Throttled like login: past the limit an
   * AppError too_many, a wrong password an AppError invalid, each beside `field`.
   */
  async function confirmPassword(actor: Actor, password: string, field: string, wrong: string = M.passwordWrong) {
    const key = `a${actor.accountId}`;
    if (!hasher.hasRoom()) throw hasher.refusal();
    if (!(await reauthLockout.attempt(key))) throw new AppError('too_many', M.locked, field);
    const account = await repo.accountForPassword(actor.accountId);
    // Refused for load (BusyError): not a guess, so its reserved point goes back.
    const right = account && await verifyPassword(hasher, account, password).catch(async (e: unknown) => {
      await reauthLockout.release(key);
      throw e;
    });
    if (!account || !right) {
      // The 15-minute lock, for finance's audit log: a session someone else may be holding.
      if (await reauthLockout.failed(key)) {
        await audit.record({ actorAccountId: actor.accountId, action: 'auth.reauth_locked', targetPersonId: account?.personId ?? null, detail: { minutes: LOCK_SECONDS / 60 }, ip: actor.ip });
      }
      throw new AppError('invalid', wrong, field);
    }
    await reauthLockout.succeeded(key);
    return account;
  }

  return {
    /** `read`: the row as read with the session (./page-reads.ts), when it was. */
    async view(accountId: number, read?: ProfileRow): Promise<ProfileView | undefined> {
      const row = read ?? await repo.profile(accountId);
      if (!row) return undefined;
      const { bankCardEnc, bankCardLast4, emailContact, ...rest } = row;
      let bankCardMasked = '';
      if (bankCardEnc && bankCardLast4) {
        try {
          bankCardMasked = maskCard(decryptCard(bankCardEnc, bankCardKey).slice(0, 4), bankCardLast4);
        } catch {
          // A rotated key must not take the page down; the last four still identify the card.
          bankCardMasked = maskCard('****', bankCardLast4);
        }
      }
      return { ...rest, bankCardMasked, emailState: { enabled: deps.email?.enabled ?? false, ...emailContact } };
    },

    /** 个人信息修改: writes only the fields that differ, and names them (not their values) in the audit. */
    async updateContact(actor: Actor, input: ProfileEdit): Promise<{ changed: string[]; confirmationSent?: boolean }> {
      const row = await repo.profile(actor.accountId);
      if (!row) return { changed: [] };
      const wanted: Partial<ContactFields> = { email: input.email, postcode: input.postcode, address: input.address };
      if (input.mobile) wanted.mobile = input.mobile;
      const changes: Partial<ContactFields> = {};
      for (const [k, v] of Object.entries(wanted) as [keyof ContactFields, string][]) if (row[k] !== v) changes[k] = v;
      const changed = Object.keys(changes);
      if (changed.length === 0) return { changed };
      const confirmationSent = await db.transaction(async (trx) => {
        await repo.setContact(trx, row.personId, changes);
        await audit.record({ actorAccountId: row.accountId, action: 'profile.update', targetPersonId: row.personId, detail: { fields: changed }, ip: actor.ip }, trx);
        return changes.email ? (await deps.email?.requestConfirmation(trx, row.personId, changes.email)) ?? false : false;
      });
      if (confirmationSent) deps.email?.afterQueue();
      return { changed, confirmationSent };
    },

    async changePassword(input: { accountId: number; current: string; next: string; sessionId: string; ip: string }): Promise<void> {
      // Throttled like every other re-entry of the password: an open session must not be able
      // to find the password by guessing here and then redirect refunds.
      const account = await confirmPassword({ accountId: input.accountId, ip: input.ip }, input.current, 'current', '原始密码不正确');
      const broken = checkPassword(input.next, { number: account.number, idNumber: account.idNumber, oldPassword: input.current });
      if (broken) throw new AppError('invalid', broken, 'next');
      const hash = await hasher.hash(input.next, BCRYPT_COST);
      await db.transaction(async (trx) => {
        await repo.setPassword(trx, account.accountId, hash);
        const ended = await repo.endOtherSessions(trx, account.accountId, input.sessionId);
        await audit.record({ actorAccountId: account.accountId, action: 'password.change', targetPersonId: account.personId, detail: { field: 'password', otherSessionsEnded: ended }, ip: input.ip }, trx);
      });
    },

    /** 密保修改 第一步：验证密码. */
    async verifyForSecurity(actor: Actor, password: string): Promise<void> {
      await confirmPassword(actor, password, 'password');
    },

    /** 密保修改 第二步. The caller has checked step 1 and the captcha. */
    async setSecurity(actor: Actor, input: { question: string; answer: string }): Promise<void> {
      const account = await repo.accountForPassword(actor.accountId);
      if (!account) return;
      const hash = await hasher.hash(normaliseAnswer(input.answer), BCRYPT_COST);
      await db.transaction(async (trx) => {
        await repo.setSecurity(trx, account.accountId, input.question, hash);
        await audit.record({ actorAccountId: account.accountId, action: 'security.change', targetPersonId: account.personId, detail: { fields: ['security_question', 'security_answer'] }, ip: actor.ip }, trx);
      });
    },

    /** 银行卡修改: the full number only ever leaves this function encrypted. */
    async setBankCard(actor: Actor, input: { bankName: string; cardNumber: string; password: string }): Promise<void> {
      const account = await confirmPassword(actor, input.password, 'password');
      const card = { bankName: input.bankName, enc: encryptCard(input.cardNumber, bankCardKey), last4: input.cardNumber.slice(-4) };
      await db.transaction(async (trx) => {
        await repo.setBankCard(trx, account.accountId, card);
        await audit.record({ actorAccountId: account.accountId, action: 'bank_card.change', targetPersonId: account.personId, detail: { fields: ['bank_name', 'bank_card'], last4: card.last4 }, ip: actor.ip }, trx);
      });
    },
  };
}

export type ProfileService = ReturnType<typeof profileService>;
