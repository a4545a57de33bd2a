// SQL of 授权缴费人 (migration 20261221_260): the payers module owns payer_links and the people and
// accounts rows of kind/role 'payer'. Every read a payer's request makes names the payer's own
// person id, so a link of another payer is never found by id alone.
import type { Knex } from 'knex';
import { toCurrentUser, type CurrentUser } from '../../domain/current-user';
import { SETTLED } from '../../domain/order-state';
import { currentUserSql } from '../auth/repo';
import type { PayerLinkStatus, PayerRelation } from '../../domain/payer-labels';

export interface PayerLink {
  id: number;
  studentId: number;
  mobile: string;
  relation: PayerRelation;
  name: string;
  payerId: number | null;
  status: PayerLinkStatus;
  invitedAt: Date;
  acceptedAt: Date | null;
  endedAt: Date | null;
}

const linkColumns = [
  'l.id', 'l.student_id as studentId', 'l.mobile', 'l.relation', 'l.name', 'l.payer_id as payerId', 'l.status',
  'l.invited_at as invitedAt', 'l.accepted_at as acceptedAt', 'l.ended_at as endedAt',
];

/** A student a payer may pay for, as the payer's 选择学生 page lists them. */
export interface PayerStudent {
  linkId: number;
  studentId: number;
  number: string;
  name: string;
  collegeName: string;
  className: string;
  relation: PayerRelation;
  status: PayerLinkStatus;
}

export interface PayerAccount {
  personId: number;
  accountId: number;
  name: string;
}

const asLink = (r: Record<string, unknown>): PayerLink => ({ ...(r as unknown as PayerLink), id: Number(r.id) });

/** Invitations of one student one after another: the count of open links and the insert hold together. */
export async function lockStudent(trx: Knex, studentId: number): Promise<void> {
  await trx.raw('SELECT pg_advisory_xact_lock(hashtext(?))', [`payer_links:${studentId}`]);
}

/** Registrations of one mobile one after another (the payer's account is unique by mobile). */
export async function lockPayerMobile(trx: Knex, mobile: string): Promise<void> {
  await trx.raw('SELECT pg_advisory_xact_lock(hashtext(?))', [`payer_mobile:${mobile}`]);
}

/** Every link of a student, newest first (the student's 授权缴费人 page, finance's person page). */
export async function linksOfStudent(db: Knex, studentId: number): Promise<PayerLink[]> {
  const rows = await db('payer_links as l').where('l.student_id', studentId).orderBy('l.id', 'desc').select(linkColumns);
  return rows.map(asLink);
}

export async function insertLink(trx: Knex, l: { studentId: number; mobile: string; relation: PayerRelation; name: string; payerId: number | null }): Promise<number> {
  const [row] = await trx('payer_links').insert({
    student_id: l.studentId, mobile: l.mobile, relation: l.relation, name: l.name, payer_id: l.payerId, status: 'invited',
  }).returning('id');
  return Number(row.id);
}

/** Ends a student's own open link (撤销): a compare-and-set on its state; false when it was not open. */
export async function revokeLink(trx: Knex, studentId: number, linkId: number): Promise<PayerLink | undefined> {
  const [row] = await trx('payer_links as l').where({ 'l.id': linkId, 'l.student_id': studentId }).whereIn('l.status', ['invited', 'active'])
    .update({ status: 'revoked', ended_at: trx.fn.now() }).returning(linkColumns.map((c) => c.replace('l.', '')));
  return row ? asLink(row as Record<string, unknown>) : undefined;
}

/** The payer person of a mobile number, if one registered. */
export async function payerByMobile(db: Knex, mobile: string): Promise<PayerAccount | undefined> {
  const row = await db('people as p').join('accounts as a', 'a.person_id', 'p.id').where({ 'p.kind': 'payer', 'p.mobile': mobile })
    .first('p.id as personId', 'a.id as accountId', 'p.name');
  return row ? { personId: Number(row.personId), accountId: Number(row.accountId), name: String(row.name) } : undefined;
}

/** Students whose invitation to this mobile is waiting (what registering or accepting would activate). */
export async function invitationsOf(db: Knex, mobile: string): Promise<PayerStudent[]> {
  return asStudents(await studentsQuery(db).where('l.mobile', mobile).andWhere('l.status', 'invited'));
}

/** The payer person (用户编号 P + 7 digits) and account, signed in by mobile with the password chosen. */
export async function createPayer(trx: Knex, p: { name: string; mobile: string; passwordHash: string }): Promise<PayerAccount> {
  for (;;) {
    const { rows } = await trx.raw<{ rows: { id: number }[] }>(
      `INSERT INTO people (number, name, gender, kind, mobile)
       VALUES ('P' || lpad(nextval('payer_number_seq')::text, 7, '0'), ?, '', 'payer', ?)
       ON CONFLICT (number) DO NOTHING RETURNING id`,
      [p.name, p.mobile],
    );
    const person = rows[0];
    if (!person) continue;
    const [account] = await trx('accounts').insert({
      person_id: person.id, role: 'payer', password_hash: p.passwordHash, must_change_password: false, password_changed_at: trx.fn.now(),
    }).returning('id');
    return { personId: person.id, accountId: Number(account.id), name: p.name };
  }
}

/** A new password for a payer who proved the phone again (注册或重设密码 with a registered mobile). */
export async function setPayerPassword(trx: Knex, accountId: number, passwordHash: string): Promise<void> {
  await trx('accounts').where({ id: accountId, role: 'payer' })
    .update({ password_hash: passwordHash, must_change_password: false, password_changed_at: trx.fn.now(), updated_at: trx.fn.now() });
}

/** Activates waiting invitations of this mobile (all, or one by id) for the payer: compare-and-set on 'invited'. */
export async function acceptInvitations(trx: Knex, q: { mobile: string; payerId: number; linkId?: number }): Promise<number[]> {
  const rows = await trx('payer_links').where({ mobile: q.mobile, status: 'invited' }).modify((b) => { if (q.linkId !== undefined) b.andWhere('id', q.linkId); })
    .update({ status: 'active', payer_id: q.payerId, accepted_at: trx.fn.now() }).returning('id');
  return rows.map((r: { id: string | number }) => Number(r.id));
}

export async function declineInvitation(trx: Knex, q: { mobile: string; linkId: number }): Promise<boolean> {
  const n = await trx('payer_links').where({ id: q.linkId, mobile: q.mobile, status: 'invited' }).update({ status: 'declined', ended_at: trx.fn.now() });
  return n > 0;
}

/** payer_links.id is a bigint, which the driver reads as a string. */
const asStudents = (rows: Record<string, unknown>[]): PayerStudent[] => rows.map((r) => ({ ...(r as unknown as PayerStudent), linkId: Number(r.linkId) }));

function studentsQuery(db: Knex) {
  return db('payer_links as l')
    .join('people as s', 's.id', 'l.student_id')
    .leftJoin('colleges as c', 'c.id', 's.college_id').leftJoin('classes as k', 'k.id', 's.class_id')
    .orderBy('l.id')
    .select('l.id as linkId', 's.id as studentId', 's.number', 's.name', db.raw(`coalesce(c.name, '') AS "collegeName"`), db.raw(`coalesce(k.name, '') AS "className"`),
      'l.relation', 'l.status');
}

/** The students this payer may pay for now: active links whose student's account is active. */
export async function activeStudentsOf(db: Knex, payerId: number): Promise<PayerStudent[]> {
  return asStudents(await studentsQuery(db).join('accounts as sa', 'sa.person_id', 's.id')
    .where({ 'l.payer_id': payerId, 'l.status': 'active', 'sa.status': 'active' }));
}

/**
 * The student of this payer's active link as the signed-in user of a page (auth's currentUserSql,
 * which reads only an active account), in one statement; undefined once the link is no longer usable.
 */
export async function studentUserOf(db: Knex, payerId: number, studentId: number): Promise<CurrentUser | undefined> {
  const accountOfLink = `(SELECT sa.id FROM payer_links l JOIN accounts sa ON sa.person_id = l.student_id
     WHERE l.payer_id = ? AND l.student_id = ? AND l.status = 'active' LIMIT 1)`;
  const { rows } = await db.raw<{ rows: Record<string, unknown>[] }>(currentUserSql(accountOfLink), [payerId, studentId]);
  return rows[0] ? toCurrentUser(rows[0]) : undefined;
}

/**
 * 缴费人 of an order aliased `o` (null when its person paid it): the payer's name and the relation
 * the student gave them, as 银行交易记录, 明细, 缴费人代缴记录 and finance's person page write it.
 */
export const PAYER_NAME_SQL = `(SELECT pp.name || coalesce('（' || (SELECT l.relation FROM payer_links l WHERE l.student_id = o.person_id AND l.payer_id = o.payer_id ORDER BY l.id DESC LIMIT 1) || '）', '')
    FROM people pp WHERE pp.id = o.payer_id) AS "payerName"`;

/** What the student's payers paid: each paid order sent to the channel by a payer (orders.payer_id, written by payment's submit). */
export interface PaidByPayer {
  orderNo: string;
  total: string;
  paidAt: Date | null;
  status: string;
  payerName: string;
}

export async function paidByPayers(db: Knex, studentId: number, limit = 50): Promise<PaidByPayer[]> {
  return db('orders as o').whereNotNull('o.payer_id')
    .where('o.person_id', studentId).whereIn('o.status', SETTLED)
    .orderBy('o.paid_at', 'desc').limit(limit)
    .select('o.order_no as orderNo', db.raw('o.total::text AS total'), 'o.paid_at as paidAt', 'o.status', db.raw(PAYER_NAME_SQL));
}
