// 授权缴费人: a student invites a parent or sponsor by mobile number (up to MAX_PAYERS at once); the
// payer proves the phone with an SMS code (src/modules/sms-codes), sets a password, signs in with
// the mobile number and pays that student's bills through the usual wizard (./scope.ts decides
// what a payer's request may reach). The receipts and e-bills stay the student's; the order keeps
// who sent it to the channel (orders.payer_id).
//
// The same two steps also reset a registered payer's password: holding the phone is the proof
// either way, and a payer has no 身份证号 or 密保 for 找回密码 to ask.
import type { Request } from 'express';
import type { Knex } from 'knex';
import { AppError } from '../../domain/app-error';
import { checkPassword } from '../../domain/password-policy';
import { MAX_PAYERS } from '../../domain/payer-labels';
import type { AuditRepo } from '../audit/repo';
import type { PasswordHasher } from '../auth/hasher';
import type { Captchas } from '../captcha/routes';
import { endSessionsOf } from '../console/accounts/repo';
import { BCRYPT_COST } from '../profile/service';
import type { SmsCodes } from '../sms-codes/service';
import { enqueueSms } from '../sms/outbox-repo';
import { PAYER_MESSAGES as M } from './messages';
import {
  acceptInvitations, activeStudentsOf, createPayer, declineInvitation, insertLink, invitationsOf, linksOfStudent, lockPayerMobile, lockStudent,
  paidByPayers, payerByMobile, revokeLink, setPayerPassword, studentUserOf,
} from './repo';
import { PAYER_NAME, type Invite } from './schemas';

export const PAYER_FLOW_TTL_MS = 30 * 60_000;
/** Invitations a student may send in 24 hours: each is an SMS to a number of their choosing, so revoke-and-invite is no way to text anyone at will. */
export const INVITES_PER_DAY = 10;
export const PAYER_CODE_PURPOSE = 'payer';
/** Where the invitation SMS sends the payer. */
export const PAYER_REGISTER_PATH = '/payer/register';

/** The two-step flow's state, kept in the session between 获取验证码 and 注册. */
export interface PayerFlowState {
  mobile: string;
  codeId: string;
  /** A payer account already holds this mobile: the second step sets a new password. */
  existing: boolean;
  /** The students whose invitations wait for this mobile (shown on the second step). */
  inviters: string[];
  nextAt: number;
  expires: number;
}

export interface Actor {
  accountId: number;
  personId: number;
  ip: string;
}

export function payersService(deps: {
  db: Knex; audit: AuditRepo; codes: SmsCodes; hasher: PasswordHasher; captchas: Captchas; schoolName: string; publicUrl: string;
  afterQueued?: () => void; now?: () => number;
}) {
  const { db, audit, codes, hasher, captchas } = deps;
  const now = deps.now ?? Date.now;

  return {
    now,

    /** The student's links and what their payers paid (个人信息 > 授权缴费人). */
    async ofStudent(studentId: number) {
      const [links, paid] = await Promise.all([linksOfStudent(db, studentId), paidByPayers(db, studentId)]);
      return { links, paid, open: links.filter((l) => l.status === 'invited' || l.status === 'active').length };
    },

    /**
     * 邀请: one more open link (at most MAX_PAYERS, counted under the student's lock so parallel
     * invitations cannot pass it) and the SMS, in one transaction. A mobile that already holds a
     * payer account is linked to it at once but stays 待接受 until that payer accepts.
     */
    async invite(student: Actor & { name: string; mobile: string }, input: Invite): Promise<void> {
      if (input.mobile === student.mobile) throw new AppError('invalid', M.ownMobile, 'mobile');
      await db.transaction(async (trx) => {
        await lockStudent(trx, student.personId);
        const links = await linksOfStudent(trx, student.personId);
        const open = links.filter((l) => l.status === 'invited' || l.status === 'active');
        if (open.some((l) => l.mobile === input.mobile)) throw new AppError('conflict', M.already, 'mobile');
        if (open.length >= MAX_PAYERS) throw new AppError('conflict', M.full, '_');
        const dayAgo = now() - 24 * 3600_000;
        if (links.filter((l) => l.invitedAt.getTime() > dayAgo).length >= INVITES_PER_DAY) throw new AppError('too_many', M.daily(INVITES_PER_DAY), '_');
        const id = await insertLink(trx, { studentId: student.personId, mobile: input.mobile, relation: input.relation, name: input.name, payerId: null });
        await enqueueSms(trx, {
          personId: null, mobile: input.mobile,
          body: M.inviteSms({ schoolName: deps.schoolName, student: student.name, relation: input.relation, url: `${deps.publicUrl}${PAYER_REGISTER_PATH}` }),
        });
        await audit.record({
          actorAccountId: student.accountId, action: 'payer.invite', targetPersonId: student.personId,
          detail: { linkId: id, name: input.name, relation: input.relation, mobile: `${input.mobile.slice(0, 3)}****${input.mobile.slice(7)}` }, ip: student.ip,
        }, trx);
      });
      deps.afterQueued?.();
    },

    /** 撤销: the student's own open link ends at once (the payer's next request finds it gone). */
    async revoke(student: Actor, linkId: number): Promise<string> {
      return db.transaction(async (trx) => {
        const link = await revokeLink(trx, student.personId, linkId);
        if (!link) throw new AppError('conflict', M.notOpen, '_');
        await audit.record({ actorAccountId: student.accountId, action: 'payer.revoke', targetPersonId: student.personId, detail: { linkId, name: link.name }, ip: student.ip }, trx);
        return link.name;
      });
    },

    /** Step 1: the image's 验证码, the address's limit, an invitation or a payer account for the mobile, then the code. */
    async start(input: { mobile: string; captcha: string; req: Request; ip: string }): Promise<PayerFlowState> {
      const captcha = await captchas.take(input.req, input.captcha);
      if (captcha !== 'ok') throw new AppError('invalid', captcha === 'expired' ? M.captchaExpired : M.captchaWrong, 'captcha');
      await codes.takeAddress(input.ip);
      const [existing, invitations] = await Promise.all([payerByMobile(db, input.mobile), invitationsOf(db, input.mobile)]);
      if (!existing && !invitations.length) throw new AppError('not_found', M.noInvitation, 'mobile');
      const sent = await codes.send({ purpose: PAYER_CODE_PURPOSE, label: M.codeLabel, mobile: input.mobile, ip: input.ip });
      return {
        mobile: input.mobile, codeId: sent.id, existing: !!existing, inviters: invitations.map((i) => i.name),
        nextAt: sent.nextAt, expires: now() + PAYER_FLOW_TTL_MS,
      };
    },

    async resend(state: PayerFlowState, ip: string): Promise<PayerFlowState> {
      await codes.takeAddress(ip);
      const sent = await codes.send({ purpose: PAYER_CODE_PURPOSE, label: M.codeLabel, mobile: state.mobile, ip });
      return { ...state, codeId: sent.id, nextAt: sent.nextAt };
    },

    /**
     * Step 2: the password judged and hashed first (a refused one does not use the code); then in
     * one transaction the code is used, the payer created (or their password reset, their other
     * sessions ended) and every waiting invitation of the mobile accepted.
     */
    async complete(state: PayerFlowState, input: { name?: string | undefined; code: string; password: string }, ip: string): Promise<'registered' | 'reset'> {
      const name = (input.name ?? '').trim();
      const broken = checkPassword(input.password, { number: state.mobile, idNumber: null });
      if (broken) throw new AppError('invalid', broken, 'password');
      const passwordHash = await hasher.hash(input.password, BCRYPT_COST);
      const outcome = await db.transaction(async (trx) => {
        const check = await codes.check(trx, { id: state.codeId, purpose: PAYER_CODE_PURPOSE, mobile: state.mobile, code: input.code });
        if (check.result !== 'ok') return { ok: false as const, refused: codes.refusal({ result: check.result, left: check.left }) };
        await lockPayerMobile(trx, state.mobile);
        let payer = await payerByMobile(trx, state.mobile);
        const kind = payer ? ('reset' as const) : ('registered' as const);
        if (payer) {
          await setPayerPassword(trx, payer.accountId, passwordHash);
          await endSessionsOf(trx, payer.accountId);
        } else {
          if (!PAYER_NAME.test(name)) throw new AppError('invalid', name ? M.nameFormat : M.name, 'name');
          payer = await createPayer(trx, { name, mobile: state.mobile, passwordHash });
        }
        const accepted = await acceptInvitations(trx, { mobile: state.mobile, payerId: payer.personId });
        await audit.record({
          actorAccountId: payer.accountId, action: kind === 'reset' ? 'payer.password' : 'payer.register', targetPersonId: payer.personId,
          detail: { via: 'payer_sms', students: accepted.length }, ip,
        }, trx);
        return { ok: true as const, kind };
      });
      if (!outcome.ok) throw new AppError('invalid', outcome.refused, 'code');
      return outcome.kind;
    },

    /** The payer's own page: whom they may pay for, and invitations waiting for their answer. */
    async home(payer: { personId: number; mobile: string }) {
      const [students, invitations] = await Promise.all([activeStudentsOf(db, payer.personId), invitationsOf(db, payer.mobile)]);
      return { students, invitations };
    },

    activeStudents: (payerId: number) => activeStudentsOf(db, payerId),

    /** The student as a page's user while this payer's link to them is active (and the student's account is). */
    studentUser: (payerId: number, studentId: number) => studentUserOf(db, payerId, studentId),

    /** 接受 or 拒绝 an invitation that came after the payer registered (another child, say). */
    async answer(payer: Actor & { mobile: string }, linkId: number, accept: boolean): Promise<void> {
      await db.transaction(async (trx) => {
        const done = accept
          ? (await acceptInvitations(trx, { mobile: payer.mobile, payerId: payer.personId, linkId })).length > 0
          : await declineInvitation(trx, { mobile: payer.mobile, linkId });
        if (!done) throw new AppError('conflict', M.notInvited, '_');
        await audit.record({ actorAccountId: payer.accountId, action: accept ? 'payer.accept' : 'payer.decline', targetPersonId: payer.personId, detail: { linkId }, ip: payer.ip }, trx);
      });
    },

    /** Finance's person page: the student's payers. */
    linksOf: (studentId: number) => linksOfStudent(db, studentId),
  };
}

export type PayersService = ReturnType<typeof payersService>;
