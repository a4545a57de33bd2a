// Confirming a student's 邮箱 and stopping reminder mail. A confirmation link carries a random
// token whose SHA-256 alone is stored; it expires in 24 hours and is spent once. An unsubscribe link
// carries an HMAC of the person id under a key derived from the session secret, so it needs no
// login and no row per mail, and cannot be made for another person.
import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Knex } from 'knex';
import { AppError } from '../../domain/app-error';
import type { AuditRepo } from '../audit/repo';
import { EMAIL_MESSAGES as M } from './messages';
import { confirmationByHash, enqueueEmails, insertConfirmation, personName, setConfirmedContact, spendConfirmation, unsubscribe } from './repo';

export const CONFIRM_TTL_MS = 24 * 3600_000;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export interface EmailDeps {
  db: Knex;
  audit: AuditRepo;
  schoolName: string;
  publicUrl: string;
  secret: string;
  /** false: SMTP_URL is not set, nothing is queued. */
  enabled: boolean;
  /** After a confirmation mail is committed: drain now (the job is the net). */
  afterQueue?: () => void;
}

export function emailService(deps: EmailDeps) {
  const { db } = deps;
  const key = Buffer.from(hkdfSync('sha256', deps.secret, 'cupp-unsubscribe', 'email unsubscribe link', 32));
  const mac = (personId: number) => createHmac('sha256', key).update(`unsub:${personId}`).digest('hex').slice(0, 32);

  /** The person a token stands for, or null for a forged or mangled one. */
  function personOfUnsubscribe(token: string): number | null {
    const m = /^(\d{1,9})\.([0-9a-f]{32})$/.exec(token);
    if (!m) return null;
    const id = Number(m[1]);
    const want = Buffer.from(mac(id));
    return timingSafeEqual(want, Buffer.from(m[2]!)) ? id : null;
  }

  return {
    enabled: deps.enabled,

    unsubscribeUrl: (personId: number) => `${deps.publicUrl}/email/unsubscribe?token=${personId}.${mac(personId)}`,

    /**
     * In the transaction that sets 邮箱 (个人信息修改): a new link to the new address. Earlier links
     * stop working. With e-mail off nothing is queued (the page says so).
     */
    async requestConfirmation(trx: Knex, personId: number, email: string, now = new Date()): Promise<boolean> {
      if (!deps.enabled || !email) return false;
      const token = randomBytes(32).toString('base64url');
      await insertConfirmation(trx, { personId, email, tokenHash: sha256(token), expiresAt: new Date(now.getTime() + CONFIRM_TTL_MS) });
      const name = (await personName(trx, personId))?.name ?? '';
      const link = `${deps.publicUrl}/email/confirm?token=${token}`;
      await enqueueEmails(trx, [{
        personId, address: email, purpose: 'confirm',
        subject: M.confirmSubject(deps.schoolName), body: M.confirmBody({ school: deps.schoolName, name, link }),
      }]);
      return true;
    },

    afterQueue: () => deps.afterQueue?.(),

    /** The address a live link would confirm (for the page that asks), or an AppError. */
    async peekConfirmation(token: string, now = new Date()): Promise<string> {
      const c = await confirmationByHash(db, sha256(token));
      if (!c || c.usedAt || c.expiresAt <= now) throw new AppError('invalid', M.confirmBad);
      return c.email;
    },

    async confirm(token: string, ip: string, now = new Date()): Promise<string> {
      return db.transaction(async (trx) => {
        const c = await confirmationByHash(trx, sha256(token));
        if (!c || !(await spendConfirmation(trx, c.id, now))) throw new AppError('invalid', M.confirmBad);
        await setConfirmedContact(trx, c.personId, c.email, now);
        await deps.audit.record({ actorAccountId: null, action: 'email.confirm', targetPersonId: c.personId, detail: { email: c.email }, ip }, trx);
        return c.email;
      });
    },

    checkUnsubscribe(token: string): number {
      const id = personOfUnsubscribe(token);
      if (id === null) throw new AppError('invalid', M.unsubscribeBad);
      return id;
    },

    async unsubscribe(token: string, ip: string, now = new Date()): Promise<void> {
      const personId = personOfUnsubscribe(token);
      if (personId === null) throw new AppError('invalid', M.unsubscribeBad);
      await db.transaction(async (trx) => {
        if (await unsubscribe(trx, personId, now)) {
          await deps.audit.record({ actorAccountId: null, action: 'email.unsubscribe', targetPersonId: personId, detail: {}, ip }, trx);
        }
      });
    },
  };
}

export type EmailService = ReturnType<typeof emailService>;
