import { describe, expect, it } from 'vitest';
import { testApp } from '../helpers/app';
import { Client, text } from '../helpers/client';
import { testDatabase } from '../helpers/test-db';
import { signedInZhangsan } from '../helpers/users';
import * as f from '../factories';

const db = await testDatabase({ demo: true });
const app = testApp(db);
const zs = await signedInZhangsan(db.knex, app);

describe('当前费用 (图8)', () => {
  it('shows the summary line and the ten columns for 张三', async () => {
    const res = await zs.get('/fees');
    expect(res.status).toBe(200);
    const t = text(res.text);
    expect(t).toContain('费用信息以及交费状况 (共有3条缴费项目, 共需交费9,350.00元, 已缴费0.00元, 欠费9,350.00元)');
    for (const col of ['收费期间', '收费项目', '收费起始', '收费终止', '收费状态', '收费类型', '应缴金额', '实缴金额', '欠费金额', '支付状态']) expect(t).toContain(col);
    expect(t).toMatch(/2019年度 医疗保险 -- -- 收费 学费 ¥ 250\.00 ¥ 0\.00 ¥ 250\.00 未完成/);
    expect(t).toMatch(/住宿费 -- -- 收费 学费 ¥ 1,100\.00 ¥ 0\.00 ¥ 1,100\.00 未完成/);
    expect(t).toMatch(/学费 -- -- 收费 学费 ¥ 8,000\.00 ¥ 0\.00 ¥ 8,000\.00 未完成/);
    expect(t).toContain('总共 3条记录 总共 1页 第 1页 最首页 前一页 后一页 最后页');
    expect(t).toContain('跳转');
    expect(t).toMatch(/收费期间： .*收费项目： .*显示过期项目/);
  });

  it('shows the arrears on the home page after login (图2) with the 系统公告', async () => {
    const t = text((await zs.get('/')).text);
    expect(t).toContain('共需交费9,350.00元');
    expect(t).toContain('系统公告');
    expect(t).toContain('关于2019年度学费、住宿费缴纳的通知');
  });

  it('filters by period and item', async () => {
    const periods = await db.knex('fee_periods').select('id', 'name');
    const p2019 = periods.find((p) => p.name === '2019年度')!.id;
    const p2018 = periods.find((p) => p.name === '2018年度')!.id;
    const item = (await db.knex('fee_items').where({ name: '住宿费' }).first('id')).id;
    expect(text((await zs.get(`/fees?period=${p2019}`)).text)).toContain('共有3条缴费项目');
    const one = text((await zs.get(`/fees?period=${p2019}&item=${item}`)).text);
    expect(one).toContain('共有1条缴费项目, 共需交费1,100.00元');
    // A period he has no bills in is reported, not an error.
    const none = await zs.get(`/fees?period=${p2018}`);
    expect(none.status).toBe(200);
    expect(text(none.text)).toContain('所选收费期间不存在');
  });
});

describe('过期项目 and 收费状态', () => {
  it('hides items whose window has ended unless 显示过期项目 is ticked, and shows windows and 停止', async () => {
    const p = await f.person(db.knex, { password: 'Abc12345!x' });
    const per = await f.period(db.knex, '2020年度过期测试');
    const open = await f.feeItem(db.knex, { name: '会议费', feeType: '其他费用', category: '代收', startsAt: '2020-03-01T00:00:00+08:00', endsAt: '2099-03-31T23:59:59+08:00' });
    const ended = await f.feeItem(db.knex, { name: '英语考试报名费', feeType: '其他费用', category: '代收', startsAt: '2020-03-01T00:00:00+08:00', endsAt: '2020-03-31T23:59:59+08:00' });
    const stopped = await f.feeItem(db.knex, { name: '教材费(停)', status: '停止' });
    for (const it of [open, ended, stopped]) await f.bill(db.knex, { personId: p.personId, periodId: per.id, feeItemId: it.id, due: '30.00' });
    const c = new Client(app);
    await c.login(p.number, 'Abc12345!x');
    const hidden = text((await c.get('/fees')).text);
    expect(hidden).toContain('共有2条缴费项目');
    expect(hidden).not.toMatch(/英语考试报名费 2020/);
    expect(hidden).toMatch(/会议费 2020-03-01 2099-03-31 收费 其他费用/);
    expect(hidden).toMatch(/教材费\(停\) -- -- 停止 学费/);
    const shown = text((await c.get('/fees?expired=1')).text);
    expect(shown).toContain('共有3条缴费项目');
    // Its window is over: not 收费 any more, whatever finance's switch says.
    expect(shown).toMatch(/英语考试报名费 2020-03-01 2020-03-31 停止 其他费用/);
    // The box stays ticked on the next page.
    expect((await c.get('/fees?expired=1')).text).toMatch(/name="expired" value="1" checked/);
  });

  it('counts reductions and refunds into 应缴 and 实缴', async () => {
    const p = await f.person(db.knex, { password: 'Abc12345!x' });
    const per = await f.period(db.knex);
    const item = await f.feeItem(db.knex);
    await f.bill(db.knex, { personId: p.personId, periodId: per.id, feeItemId: item.id, due: '5000.00', reduction: '2000.00', paid: '1000.00' });
    const c = new Client(app);
    await c.login(p.number, 'Abc12345!x');
    const t = text((await c.get('/fees')).text);
    expect(t).toContain('共有1条缴费项目, 共需交费3,000.00元, 已缴费1,000.00元, 欠费2,000.00元');
  });
});

describe('pagination and bad query strings', () => {
  it('pages 23 bills by 10 with 最首页/前一页/后一页/最后页 and 跳转', async () => {
    const p = await f.person(db.knex, { password: 'Abc12345!x' });
    const per = await f.period(db.knex);
    for (let i = 0; i < 23; i++) {
      const item = await f.feeItem(db.knex);
      await f.bill(db.knex, { personId: p.personId, periodId: per.id, feeItemId: item.id, due: '1.00' });
    }
    const c = new Client(app);
    await c.login(p.number, 'Abc12345!x');
    const first = text((await c.get('/fees')).text);
    expect(first).toContain('总共 23条记录 总共 3页 第 1页');
    expect(first).toContain('共有23条缴费项目, 共需交费23.00元');
    const last = await c.get('/fees?page=3');
    expect(text(last.text)).toContain('第 3页');
    expect(last.text).toContain('href="/fees?page=2">前一页');
    expect((last.text.match(/<tr>/g) ?? []).length).toBe(1 + 3); // header + 3 rows
    const beyond = text((await c.get('/fees?page=99')).text);
    expect(beyond).toContain('第 3页');
    expect(beyond).toContain('页码超出范围');
  });

  it('never answers a malformed query with a 500', async () => {
    for (const q of ['page=-1', 'page=abc', 'page=1.5', 'page=', 'period=abc', 'period=999999', 'item=-3', 'expired=yes', 'page[]=1', 'period[x]=1', 'page=99999999999']) {
      const res = await zs.get(`/fees?${q}`);
      expect(res.status, q).toBe(200);
      expect(text(res.text), q).toContain('费用信息以及交费状况');
    }
    expect(text((await zs.get('/fees?page=abc')).text)).toContain('页码无效');
    expect(text((await zs.get('/fees?period=abc')).text)).toContain('收费期间无效');
    expect(text((await zs.get('/fees?period=999999')).text)).toContain('所选收费期间不存在');
  });
});
