// Test data, one call per thing, with sensible defaults (Outline's factories in spirit).
import bcrypt from 'bcrypt';
import type { Knex } from 'knex';
import { idCheckChar } from '../src/domain/id-number';
import { Decimal } from '../src/domain/money';
import { postLedgerEntry } from '../src/modules/billing/repo';
import type { Role } from '../src/modules/auth/current-user';

let n = 0;
const next = () => ++n + Math.floor(Math.random() * 1e6) * 100;

export async function college(db: Knex, name = `学院${next()}`) {
  const [row] = await db('colleges').insert({ code: `C${next()}`, name }).returning(['id', 'name']);
  return row as { id: number; name: string };
}

export async function klass(db: Knex, collegeId: number, name = `${next()}班`) {
  const [row] = await db('classes').insert({ college_id: collegeId, name }).returning(['id', 'name']);
  return row as { id: number; name: string };
}

export function idNumber(seq = next()): string {
  const first17 = `620102199${String(seq % 10)}0101${String(seq % 1000).padStart(3, '0')}`;
  return first17 + idCheckChar(first17);
}

export interface PersonOpts {
  number?: string;
  name?: string;
  gender?: '男' | '女';
  idNumber?: string;
  kind?: 'student' | 'staff' | 'external';
  role?: Role;
  collegeId?: number | null;
  classId?: number | null;
  mobile?: string;
  /** Set a chosen password (bcrypt); leave out to keep the initial password. */
  password?: string;
}

export async function person(db: Knex, o: PersonOpts = {}) {
  const seq = next();
  const kind = o.kind ?? (o.role && ['dept_staff', 'finance_admin', 'staff'].includes(o.role) ? 'staff' : 'student');
  const [p] = await db('people')
    .insert({
      number: o.number ?? `T${seq}`, name: o.name ?? `学生${seq}`, gender: o.gender ?? '男',
      id_number: o.idNumber ?? idNumber(seq), kind, college_id: o.collegeId ?? null, class_id: o.classId ?? null,
      mobile: o.mobile ?? `170${String(seq).slice(-8).padStart(8, '0')}`,
    })
    .returning(['id', 'number', 'name', 'id_number']);
  const [a] = await db('accounts')
    .insert({
      person_id: p.id, role: o.role ?? kind,
      password_hash: o.password ? await bcrypt.hash(o.password, 4) : null,
      must_change_password: !o.password,
    })
    .returning('id');
  return { personId: p.id as number, accountId: a.id as number, number: p.number as string, name: p.name as string, idNumber: p.id_number as string };
}

export async function period(db: Knex, name = `${2000 + (next() % 50)}年度${next()}`) {
  const [row] = await db('fee_periods').insert({ name, sort_order: next() % 1000 }).returning(['id', 'name']);
  return row as { id: number; name: string };
}

export interface ItemOpts {
  name?: string;
  code?: string;
  category?: '财政' | '代收';
  feeType?: '学费' | '其他费用';
  status?: '收费' | '停止';
  startsAt?: string | null;
  endsAt?: string | null;
  /** 逾期可缴: payable after 收费终止. */
  payableAfterEnd?: boolean;
  /** 选缴: offered in `periodId` for `amount` to `audience` (everyone unless told); feeType then defaults to 其他费用. */
  optional?: { periodId: number; amount: string; audience?: 'all' | 'student' | 'staff' | 'external' };
}

export async function feeItem(db: Knex, o: ItemOpts = {}) {
  const category = o.category ?? '财政';
  const [row] = await db('fee_items')
    .insert({
      name: o.name ?? `项目${next()}`, code: o.code ?? String(10304270000 + next()), category, fee_type: o.feeType ?? (o.optional ? '其他费用' : '学费'),
      payee: category === '财政' ? '甘肃省财政厅' : '兰州理工大学', status: o.status ?? '收费',
      starts_at: o.startsAt ?? null, ends_at: o.endsAt ?? null, payable_after_end: o.payableAfterEnd ?? false,
      ...(o.optional ? { optional: true, offer_period_id: o.optional.periodId, offer_amount: o.optional.amount, offer_audience: o.optional.audience ?? 'all' } : {}),
    })
    .returning(['id', 'name', 'category']);
  return row as { id: number; name: string; category: '财政' | '代收' };
}

export type Category = '财政' | '代收';

export interface BillOpts {
  /** The parents: each one made when not given (a student, a new period, a 学费 item of `category`). */
  personId?: number;
  periodId?: number;
  feeItemId?: number;
  /** The category of the fee item made when `feeItemId` is not given (财政 unless told). */
  category?: Category;
  due?: string;
  reduction?: string;
  paid?: string;
}

/**
 * A bill with its charge (and reduction/payment) written through the ledger, as the platform
 * would. Its person, period and fee item are made when not given.
 */
export async function buildBill(db: Knex, o: BillOpts = {}) {
  const personId = o.personId ?? (await person(db)).personId;
  const periodId = o.periodId ?? (await period(db)).id;
  const feeItemId = o.feeItemId ?? (await feeItem(db, { category: o.category ?? '财政' })).id;
  const due = o.due ?? '100.00';
  const id = await db.transaction(async (trx) => {
    const [row] = await trx('bills').insert({ person_id: personId, period_id: periodId, fee_item_id: feeItemId }).returning('id');
    const billId = row.id as number;
    await postLedgerEntry(trx, { billId, kind: 'charge', amount: new Decimal(due), reason: 'test' });
    if (o.reduction) await postLedgerEntry(trx, { billId, kind: 'reduction', amount: new Decimal(o.reduction), reason: 'test' });
    if (o.paid) await postLedgerEntry(trx, { billId, kind: 'payment', amount: new Decimal(o.paid), reason: 'test' });
    return billId;
  });
  return { id, billId: id, personId, periodId, feeItemId, due };
}

/** buildBill with every parent given, answering the bill's id. */
export async function bill(db: Knex, o: BillOpts & { personId: number; periodId: number; feeItemId: number; due: string }) {
  return (await buildBill(db, o)).id;
}

/** Someone with one bill of `due` in a new period and fee item of the category: ready to pay. */
export async function payerWithBill(db: Knex, category: Category, due: string) {
  const b = await buildBill(db, { category, due });
  return { personId: b.personId, periodId: b.periodId, billId: b.id, category, due };
}

// The build* names (Outline's style): every parent optional.
export const buildCollege = (db: Knex, o: { name?: string } = {}) => college(db, o.name);
/** A class, in a new college unless `collegeId` is given. */
export async function buildClass(db: Knex, o: { collegeId?: number; name?: string } = {}) {
  const collegeId = o.collegeId ?? (await college(db)).id;
  return { ...(await klass(db, collegeId, o.name)), collegeId };
}
export const buildPerson = person;
export const buildPeriod = (db: Knex, o: { name?: string } = {}) => period(db, o.name);
export const buildFeeItem = feeItem;
