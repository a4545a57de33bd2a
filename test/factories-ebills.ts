// Students with issued e-bills, for the PDF tests and the bench: each gets one bill per item paid
// through the non-tax channel, and the issuing job gives each receipt its e-bill from a stand-in
// of the platform that hands out the next 票据号码 (as transactions.test.ts does).
import type { Knex } from 'knex';
import { issuePendingEbills } from '../src/modules/ebills/issuing';
import type { EbillClient } from '../src/modules/ebills/client';
import * as f from './factories';
import { buildPaidOrder } from './factories-payments';

/**
 * A stand-in of the e-bill platform that hands each request the next 票据号码, as the real one
 * does. One fixed number for every request would let only the first receipt of a pass be
 * issued (ebills is unique on 票据代码 + 票据号码), and which one wins is a race.
 */
export function numberingEbillPlatform(checkCode?: string): EbillClient {
  let serial = 22000000;
  return {
    async issue(req) {
      serial += 1;
      return { billCode: '62012001', billNo: String(serial).padStart(10, '0'), checkCode: checkCode ?? String(100000 + (serial % 900000)), issuedOn: req.payDate };
    },
  };
}
const platform = numberingEbillPlatform();

export interface StudentWithEbills {
  personId: number;
  number: string;
  password: string;
  ebills: { billCode: string; billNo: string; path: string }[];
}

export interface EbillOpts {
  /** How many students (1 unless told), each with `ebillsEach` e-bills (1 unless told). */
  students?: number;
  ebillsEach?: number;
  password?: string;
  /** The period their bills are in: a new one unless given. */
  periodId?: number;
}

/** Students with issued e-bills: every part made unless given. */
export async function buildStudentsWithEbills(k: Knex, opts: EbillOpts = {}): Promise<StudentWithEbills[]> {
  const o = { students: 1, ebillsEach: 1, password: 'Abc12345!x', ...opts };
  const period = o.periodId ? { id: o.periodId } : await f.period(k);
  const items = [];
  for (let i = 0; i < o.ebillsEach; i++) items.push(await f.feeItem(k, { name: `测试收费项目${period.id}-${i}` }));
  const out: StudentWithEbills[] = [];
  for (let s = 0; s < o.students; s++) {
    const p = await f.person(k, { password: o.password });
    for (const item of items) {
      const { billId } = await f.buildBill(k, { personId: p.personId, periodId: period.id, feeItemId: item.id, due: '100.00' });
      await buildPaidOrder(k, { personId: p.personId, channel: 'nontax', lines: [{ billId, amount: '100.00' }] });
    }
    out.push({ personId: p.personId, number: p.number, password: o.password, ebills: [] });
  }
  await issuePendingEbills({ knex: k, client: platform, schoolName: '兰州理工大学', publicUrl: 'https://pay.example.edu.cn', batchSize: 10_000 });
  for (const st of out) {
    const rows = await k('ebills as e').join('receipts as r', 'r.id', 'e.receipt_id').where('r.person_id', st.personId).orderBy('e.id').select('e.bill_code', 'e.bill_no');
    st.ebills = rows.map((r) => ({ billCode: r.bill_code, billNo: r.bill_no, path: `/transactions/ebills/${r.bill_code}/${r.bill_no}/pdf` }));
  }
  return out;
}

/** buildStudentsWithEbills with every count given. */
export const studentsWithEbills = (k: Knex, o: { students: number; ebillsEach: number; password: string }) => buildStudentsWithEbills(k, o);
