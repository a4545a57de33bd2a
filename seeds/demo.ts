// Demo data: the student 张三 of 图3 with his three unpaid 2019年度 bills, 300+ other students
// across six colleges in every state a bill can be in, a department-staff and a finance account.
// Deterministic (a seeded generator), so tests and screenshots see the same data every time.
import bcrypt from 'bcrypt';
import type { Knex } from 'knex';
import { Decimal } from '../src/domain/money';
import { idCheckChar } from '../src/domain/id-number';

export const DEMO = {
  student: { number: '18201234567890', password: '01011234', name: '张三' },
  deptStaff: { number: 'T1001', password: 'Staff@2026!', name: '李老师' },
  finance: { number: 'F9001', password: 'Finance@2026', name: '高峰' },
  external: { idNumber: '620102199203154417', name: '王五', number: 'W0001' },
} as const;

const COLLEGES = [
  ['JSJ', '计算机学院'],
  ['JD', '机电工程学院'],
  ['CL', '材料科学与工程学院'],
  ['JG', '经济管理学院'],
  ['TM', '土木工程学院'],
  ['LX', '理学院'],
] as const;
const GRADES = ['17级', '18级', '19级'];
const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史黎贺顾毛郝龚邵万钱覃武戴孔汤庞樊兰殷施陶洪翟安颜倪严牛温芦季俞章鲁葛伍申尤毕聂柴焦向柳邢岳齐沿梅莫庄辛管祝左涂谷祁时舒耿牟卜路詹关苗凌费纪靳盛童欧甄项曲成游阳裴席卫查屈鲍位覃霍翁隋植甘景薄单包司柏宁柯阮桂闵欧阳解强丛华车冉房边辜吉饶刁瞿戚丘古米池滕晋苑邬臧畅宫来嵺苟全褚廉简娄盖符奚木穆党燕郎邸冀谈姬屠连郜晏栾郁商蒙计喻揭窦迟宇敖糜鄢冷卓花艾蓝都巩稽井练仲乐虞卞封竺冼原官衣楚佟栗匡宗应台巫鞠僧桑荆谌银扬明沙薄伏岑习胥保和蔺';
const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉建红晨浩宇欣怡子轩梓涵一诺雨泽思远嘉豪俊熙';

/** Park–Miller: a tiny deterministic generator so every seed is the same. */
function rng(seed: number) {
  let s = seed;
  return () => (s = (s * 48271) % 2147483647) / 2147483647;
}

function idNumber(region: string, birth: string, seq: number, female: boolean): string {
  // The 17th digit is odd for men and even for women.
  const s = String(seq % 100).padStart(2, '0') + String((seq % 5) * 2 + (female ? 0 : 1));
  const first17 = `${region}${birth}${s}`;
  return first17 + idCheckChar(first17);
}

export async function seedDemo(knex: Knex): Promise<void> {
  await knex.transaction(async (trx) => {
    const existing = await trx('people').where({ number: DEMO.student.number }).first();
    if (existing) return; // already seeded: seeding twice must change nothing

    const colleges = await trx('colleges')
      .insert(COLLEGES.map(([code, name]) => ({ code, name })))
      .returning(['id', 'name']);
    const classRows: { college_id: number; name: string }[] = [];
    for (const c of colleges) for (const g of GRADES) classRows.push({ college_id: c.id, name: g });
    const classes = await trx('classes').insert(classRows).returning(['id', 'college_id', 'name']);
    const classOf = (collegeId: number, grade: string) =>
      classes.find((k) => k.college_id === collegeId && k.name === grade)!.id as number;

    const periods = await trx('fee_periods')
      .insert([
        { name: '2018年度', sort_order: 2018 },
        { name: '2019年度', sort_order: 2019 },
        { name: '2020年度', sort_order: 2020 },
      ])
      .returning(['id', 'name']);
    const period = (name: string) => periods.find((p) => p.name === name)!.id as number;

    const SCHOOL = '兰州理工大学';
    const FISCAL = '甘肃省财政厅';
    const items = await trx('fee_items')
      .insert([
        { code: '10304275713', name: '学费', category: '财政', fee_type: '学费', payee: FISCAL, sort_order: 3 },
        { code: '10304275714', name: '住宿费', category: '财政', fee_type: '学费', payee: FISCAL, sort_order: 2 },
        { code: '20190001', name: '医疗保险', category: '代收', fee_type: '学费', payee: SCHOOL, sort_order: 1 },
        { code: '20190002', name: '体检费', category: '代收', fee_type: '学费', payee: SCHOOL, sort_order: 4 },
        { code: '10304275720', name: '教材费', category: '财政', fee_type: '学费', payee: FISCAL, status: '停止', sort_order: 5 },
        {
          code: '20260101', name: '2026年学术会议注册费', category: '代收', fee_type: '其他费用', payee: SCHOOL,
          starts_at: '2026-09-01T00:00:00+08:00', ends_at: '2027-06-30T23:59:59+08:00', sort_order: 6,
        },
        // 选缴 (其他费用 tab): nobody is billed until they tick it; 王五 and every student are offered it.
        {
          code: '20260102', name: '2026年学术会议论文集（选缴）', category: '代收', fee_type: '其他费用', payee: SCHOOL,
          starts_at: '2026-09-01T00:00:00+08:00', ends_at: '2027-06-30T23:59:59+08:00', sort_order: 8,
          optional: true, offer_period_id: period('2020年度'), offer_amount: '80.00', offer_audience: 'all',
        },
        {
          code: '20200101', name: '2020年英语等级考试报名费', category: '代收', fee_type: '其他费用', payee: SCHOOL,
          starts_at: '2020-03-01T00:00:00+08:00', ends_at: '2020-03-31T23:59:59+08:00', sort_order: 7,
        },
        {
          code: '20260201', name: '普通话水平测试报名费', category: '代收', fee_type: '其他费用', payee: SCHOOL,
          starts_at: '2026-09-01T00:00:00+08:00', ends_at: '2027-06-30T23:59:59+08:00', sort_order: 8,
        },
      ])
      .returning(['id', 'name']);
    const item = (name: string) => items.find((i) => i.name === name)!.id as number;

    // Staff accounts first, so counter payments can name their cashier.
    const jsj = colleges.find((c) => c.name === '计算机学院')!.id as number;
    const [dept] = await trx('people')
      .insert({ number: DEMO.deptStaff.number, name: DEMO.deptStaff.name, gender: '女', id_number: '620102198001011225', kind: 'staff', college_id: jsj, mobile: '17000000001' })
      .returning('id');
    const [fin] = await trx('people')
      .insert({ number: DEMO.finance.number, name: DEMO.finance.name, gender: '男', id_number: '620102197505052213', kind: 'staff', mobile: '17000000002' })
      .returning('id');
    const [deptHash, finHash] = await Promise.all([
      bcrypt.hash(DEMO.deptStaff.password, 10),
      bcrypt.hash(DEMO.finance.password, 10),
    ]);
    await trx('accounts').insert([
      { person_id: dept.id, role: 'dept_staff', password_hash: deptHash, must_change_password: false, password_changed_at: trx.fn.now() },
      { person_id: fin.id, role: 'finance_admin', password_hash: finHash, must_change_password: false, password_changed_at: trx.fn.now() },
    ]);
    const [cashier] = await trx('accounts').where({ person_id: fin.id }).select('id');

    // 张三 as 图3 shows him, and his three unpaid 2019年度 bills (9,350.00 in all).
    const [zs] = await trx('people')
      .insert({
        number: DEMO.student.number, name: DEMO.student.name, gender: '男', id_number: '340100198501011234',
        kind: 'student', college_id: jsj, class_id: classOf(jsj, '18级'), mobile: '17000000000',
      })
      .returning('id');
    await trx('accounts').insert({ person_id: zs.id, role: 'student' });

    // An external payer (outside student), who signs in with 身份证号 + 姓名.
    const [ext] = await trx('people')
      .insert({ number: DEMO.external.number, name: DEMO.external.name, gender: '男', id_number: DEMO.external.idNumber, kind: 'external', mobile: '17000000003' })
      .returning('id');
    await trx('accounts').insert({ person_id: ext.id, role: 'external' });

    type BillSeed = { person_id: number; period: string; item: string; due: string; reduction?: string; paid?: string };
    const bills: BillSeed[] = [
      { person_id: zs.id, period: '2019年度', item: '医疗保险', due: '250.00' },
      { person_id: zs.id, period: '2019年度', item: '住宿费', due: '1100.00' },
      { person_id: zs.id, period: '2019年度', item: '学费', due: '8000.00' },
    ];
    bills.push({ person_id: ext.id, period: '2020年度', item: '2026年学术会议注册费', due: '300.00' });

    // 330 more students, six colleges × three grades.
    const rand = rng(20190901);
    const people: Record<string, unknown>[] = [];
    for (let i = 0; i < 330; i++) {
      const college = colleges[i % colleges.length]!;
      const grade = GRADES[Math.floor(i / colleges.length) % GRADES.length]!;
      const female = rand() < 0.45;
      const year = 1996 + Math.floor(rand() * 6);
      const month = String(1 + Math.floor(rand() * 12)).padStart(2, '0');
      const day = String(1 + Math.floor(rand() * 28)).padStart(2, '0');
      const surname = SURNAMES[Math.floor(rand() * 100)]!;
      const given = GIVEN[Math.floor(rand() * GIVEN.length)]! + (rand() < 0.6 ? GIVEN[Math.floor(rand() * GIVEN.length)]! : '');
      people.push({
        number: `${grade.slice(0, 2)}${String(colleges.indexOf(college) + 1).padStart(2, '0')}${String(i).padStart(10, '0')}`,
        name: surname + given,
        gender: female ? '女' : '男',
        id_number: idNumber('620102', `${year}${month}${day}`, i, female),
        kind: 'student',
        college_id: college.id,
        class_id: classOf(college.id, grade),
        mobile: `171${String(i).padStart(8, '0')}`,
      });
    }
    const students = await trx('people').insert(people).returning(['id']);
    await trx.batchInsert('accounts', students.map((s) => ({ person_id: s.id, role: 'student' })), 500);

    for (const [n, s] of students.entries()) {
      const r = rand();
      const b = (period: string, it: string, due: string, extra: Partial<BillSeed> = {}) =>
        bills.push({ person_id: s.id, period, item: it, due, ...extra });
      // 2018年度: everyone settled at the counter, some with a 绿色通道 reduction.
      b('2018年度', '学费', '5000.00', n % 9 === 0 ? { reduction: '2000.00', paid: '3000.00' } : { paid: '5000.00' });
      // 2019年度: a mix of unpaid, partly paid and paid.
      const tuition = r < 0.35 ? {} : r < 0.6 ? { paid: '2000.00' } : { paid: '8000.00' };
      b('2019年度', '学费', '8000.00', tuition);
      b('2019年度', '住宿费', '1100.00', r < 0.5 ? {} : { paid: '1100.00' });
      b('2019年度', '医疗保险', '250.00', r < 0.4 ? {} : { paid: '250.00' });
      if (n % 4 === 0) b('2019年度', '教材费', '320.50'); // a stopped item
      if (n % 5 === 0) b('2020年度', '2020年英语等级考试报名费', '30.00'); // an expired window
      if (n % 3 === 0) b('2020年度', '2026年学术会议注册费', '120.00');
      if (n % 7 === 0) b('2019年度', '体检费', '45.00', { paid: '45.00' });
    }

    const billRows = (await trx.batchInsert(
      'bills' as string,
      bills.map((x) => ({
        person_id: x.person_id, period_id: period(x.period), fee_item_id: item(x.item),
        due: x.due, reduction: x.reduction ?? '0', paid: x.paid ?? '0',
      })),
      500,
    ).returning(['id', 'person_id', 'due', 'reduction', 'paid'] as never)) as unknown as {
      id: number; person_id: number; due: string; reduction: string; paid: string;
    }[];

    // Every total above is backed by ledger entries, and every payment by a counter receipt.
    const ledger: Record<string, unknown>[] = [];
    for (const row of billRows) {
      ledger.push({ bill_id: row.id, kind: 'charge', amount: row.due, reason: '年度收费计划', actor_account_id: cashier.id });
      if (new Decimal(row.reduction).gt(0)) ledger.push({ bill_id: row.id, kind: 'reduction', amount: row.reduction, reason: '绿色通道减免', actor_account_id: cashier.id });
    }
    const paidBills = billRows.filter((row) => new Decimal(row.paid).gt(0));
    const byPerson = new Map<number, typeof paidBills>();
    for (const row of paidBills) byPerson.set(row.person_id, [...(byPerson.get(row.person_id) ?? []), row]);
    // One receipt per person, numbered in person order; set-based, since a round trip per
    // receipt was most of the embedded database's first start.
    const payers = [...byPerson];
    const { rows: numbers } = (await trx.raw(
      `SELECT lpad(nextval('receipt_no_seq')::text, 6, '0') AS no FROM generate_series(1, ?) ORDER BY 1`,
      [payers.length],
    )) as { rows: { no: string }[] };
    const receipts = (await trx.batchInsert(
      'receipts' as string,
      payers.map(([personId, rows], i) => ({
        receipt_no: numbers[i]!.no, person_id: personId, receipt_date: '2019-09-05', preparer: DEMO.finance.name, category: '财政', method: 'cash',
        total: rows.reduce((t, x) => t.plus(x.paid), new Decimal(0)).toFixed(2), ebill_status: '其他票据', actor_account_id: cashier.id,
      })),
      500,
    ).returning(['id', 'receipt_no'] as never)) as unknown as { id: number; receipt_no: string }[];
    const receiptId = new Map(receipts.map((r) => [r.receipt_no, r.id]));
    const lines: Record<string, unknown>[] = [];
    for (const [i, [, rows]] of payers.entries()) {
      const id = receiptId.get(numbers[i]!.no)!;
      for (const x of rows) {
        lines.push({ receipt_id: id, bill_id: x.id, amount: x.paid });
        ledger.push({ bill_id: x.id, kind: 'payment', amount: x.paid, receipt_id: id, reason: '柜台缴费', actor_account_id: cashier.id });
      }
    }
    await trx.batchInsert('receipt_lines', lines, 1000);
    await trx.batchInsert('bill_ledger', ledger, 1000);

    // 报名信息: an open 报名项目 for people outside the school (issue 17), billed on its own 其他费用 item.
    await trx('enrolment_projects').insert({
      name: '普通话水平测试', description: '面向社会人员的普通话水平测试，报名后请在30分钟内完成缴费，逾期名额自动释放。', audience: 'external',
      opens_at: '2026-09-01T00:00:00+08:00', closes_at: '2027-06-30T23:59:59+08:00', quota: 50, fee_item_id: item('普通话水平测试报名费'),
      period_id: period('2020年度'), amount: '50.00', hold_minutes: 30, status: 'open', created_by: cashier.id,
      fields: JSON.stringify([{ key: 'f1', label: '工作单位', required: true, maxLength: 50 }]),
    });

    await trx('announcements').insert({
      title: '关于2019年度学费、住宿费缴纳的通知',
      body: '请各位同学于开学前通过校园统一支付平台缴纳2019年度学费、住宿费。学费、住宿费收款单位名称为甘肃省财政厅；医疗保险和体检费收款单位名称为兰州理工大学。缴费过程中如有疑问请联系财务处，电话 2973305 2973826。',
      status: 'published',
      publish_from: '2019-08-01T00:00:00+08:00',
      author_account_id: cashier.id,
    });
  });
}
