// The finance console as finance reads it, answered by the app in the test world: 审计日志 names
// every action in Chinese with readable details (no codes, no JSON) and holds sign-ins, refused
// sign-ins, the 验证码 limit, the re-authentication lock and password resets; 人员查询 shows an
// account's real state (登录受限, 已停用) rather than 正常; the 欠费报表 CSV states its filters in
// its first lines and its file name.
import { describe, expect, it } from 'vitest';
import { ACCOUNT_CAPTCHA_AFTER } from '../../src/modules/auth/throttle';
import { ACCOUNT_MAX_FAILURES } from '../../src/modules/auth/lockout';
import { Client, text } from '../helpers/client';
import { testDatabase } from '../helpers/test-db';
import { PASSWORD, payEnv, signedIn } from '../helpers/world';
import * as f from '../factories';

const db = await testDatabase();
const k = db.knex;
const env = await payEnv(db);
const finance = await f.person(k, { password: PASSWORD, role: 'finance_admin', name: '高会计' });
const fc = await signedIn(env, finance.number);

/** The 审计日志 rows about one person, as the page shows them: [操作人, 操作, 详情]. */
async function auditRows(c: Client, target: string, action = '') {
  const html = (await c.get(`/console/audit?target=${target}${action ? `&action=${action}` : ''}`)).text;
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)![1]!;
  return [...body.matchAll(/<tr><td>[^<]*<\/td><td>([^<]*)<\/td><td title="([^"]+)">([^<]*)<\/td>[\s\S]*?<td class="detail">([^<]*)<\/td>/g)]
    .map((m) => ({ actor: m[1]!, code: m[2]!, action: m[3]!, detail: text(m[4]!).trim() }));
}

describe('审计日志 in Chinese', () => {
  it('records sign-ins, refused sign-ins, the 验证码 limit, the re-authentication lock and a reset, each labelled and readable', async () => {
    const p = await f.person(k, { password: PASSWORD, name: '审计甲' });
    const period = await f.period(k, `审计期间${p.personId}`);
    const billId = await f.bill(k, { personId: p.personId, periodId: period.id, feeItemId: (await f.feeItem(k)).id, due: '1000.00' });

    // Wrong passwords up to the account's 验证码 limit, from one address.
    for (let i = 0; i < ACCOUNT_CAPTCHA_AFTER; i++) expect((await new Client(env.app).login(p.number, `wrong-${i}`)).status).toBe(401);
    // Finance lifts the limit; the owner signs in and then mistypes the current password at 密码修改 until it locks.
    await fc.get(`/console/people/${p.personId}`);
    expect((await fc.post(`/console/people/${p.personId}/account`, { action: 'unlock', reason: '本人来电' })).status).toBe(303);
    const c = await signedIn(env, p.number);
    await c.get('/profile/password');
    for (let i = 0; i < ACCOUNT_MAX_FAILURES; i++) await c.post('/profile/password', { current: `wrong-${i}`, next: 'Newpass#2026', confirm: 'Newpass#2026' });
    // And finance's own actions: a reduction and a reset to the initial password.
    expect((await fc.post(`/console/people/${p.personId}/adjust`, { bill: String(billId), kind: 'reduction', amount: '100.00', reason: '绿色通道' })).status).toBe(303);
    expect((await fc.post(`/console/people/${p.personId}/account`, { action: 'reset', reason: '忘记密码' })).status).toBe(303);

    const rows = await auditRows(fc, p.number);
    const of = (code: string) => rows.filter((r) => r.code === code);
    expect(of('auth.login_failed')).toHaveLength(ACCOUNT_CAPTCHA_AFTER);
    expect(of('auth.login_failed')[0]).toEqual({ actor: '登录页面', code: 'auth.login_failed', action: '登录失败', detail: `近期失败次数：${ACCOUNT_CAPTCHA_AFTER}；原因：密码错误` });
    expect(of('auth.login_limited')).toEqual([{ actor: '登录页面', code: 'auth.login_limited', action: '登录受限（须输入验证码）', detail: `近期失败次数：${ACCOUNT_CAPTCHA_AFTER}` }]);
    expect(of('account.unlock')).toEqual([{ actor: `高会计（${finance.number}）`, code: 'account.unlock', action: '解除登录限制', detail: '原因：本人来电' }]);
    expect(of('auth.login')).toEqual([{ actor: `${p.name}（${p.number}）`, code: 'auth.login', action: '登录', detail: '' }]);
    expect(of('auth.reauth_locked')).toEqual([{ actor: `${p.name}（${p.number}）`, code: 'auth.reauth_locked', action: '验证密码失败过多，已锁定', detail: '锁定分钟数：15' }]);
    expect(of('bill.reduction')).toEqual([{ actor: `高会计（${finance.number}）`, code: 'bill.reduction', action: '减免', detail: `账单号：${billId}；金额：100.00；原因：绿色通道` }]);
    expect(of('account.reset')).toEqual([{ actor: `高会计（${finance.number}）`, code: 'account.reset', action: '重置为初始密码', detail: '原因：忘记密码' }]);

    // Nothing of the stored form reaches the page's text: no action code, no JSON.
    const page = text((await fc.get(`/console/audit?target=${p.number}`)).text);
    expect(page).not.toMatch(/auth\.|bill\.|account\.|[{}"]/);
    // The filter lists the actions by their names and still filters by code.
    const html = (await fc.get('/console/audit')).text;
    expect(html).toContain('<option value="auth.login_limited" >登录受限（须输入验证码）</option>');
    expect((await auditRows(fc, p.number, 'auth.login_limited')).map((r) => r.code)).toEqual(['auth.login_limited']);
  });

  it('names the fields of a profile change in words', async () => {
    const p = await f.person(k, { password: PASSWORD, name: '审计乙' });
    const c = await signedIn(env, p.number);
    await c.get('/profile/edit');
    expect((await c.post('/profile/edit', { mobile: '13912345678', email: 'yi@example.com', postcode: '', address: '' })).status).toBe(303);
    const [edit] = await auditRows(fc, p.number, 'profile.update');
    expect(edit).toMatchObject({ action: '个人信息修改', detail: '修改项：邮箱、手机' });
  });
});

describe('人员查询: 账户', () => {
  it('says 登录受限 for an account that needs a 验证码 to sign in, 已停用 for a stopped one, and 正常 again once lifted', async () => {
    const tag = `查询${Date.now() % 100000}`;
    const limited = await f.person(k, { password: PASSWORD, name: `${tag}甲` });
    const stopped = await f.person(k, { password: PASSWORD, name: `${tag}乙` });
    const fine = await f.person(k, { password: PASSWORD, name: `${tag}丙` });
    for (let i = 0; i < ACCOUNT_CAPTCHA_AFTER; i++) await new Client(env.app).login(limited.number, `wrong-${i}`);
    await fc.get(`/console/people/${stopped.personId}`);
    expect((await fc.post(`/console/people/${stopped.personId}/account`, { action: 'disable', reason: '毕业离校' })).status).toBe(303);

    const states = async () => {
      const t = text((await fc.get(`/console/people?q=${encodeURIComponent(tag)}`)).text);
      return Object.fromEntries([limited, stopped, fine].map((p) => [p.name, new RegExp(`${p.name} 男 \\S+ -- -- (\\S+) 查看`).exec(t)?.[1]]));
    };
    expect(await states()).toEqual({ [limited.name]: '登录受限（须输入验证码）', [stopped.name]: '已停用', [fine.name]: '正常' });
    expect((await fc.post(`/console/people/${limited.personId}/account`, { action: 'unlock', reason: '本人来电' })).status).toBe(303);
    expect((await states())[limited.name]).toBe('正常');
  });
});

describe('欠费报表 CSV', () => {
  it('states its 统计口径, filters and sort in its first lines and names its file after the filters set', async () => {
    const college = await f.college(k, `报表学院${Date.now() % 100000}`);
    const period = await f.period(k, `2031年度${Date.now() % 1000}`);
    const item = await f.feeItem(k, { name: '住宿费（报表）' });
    const p = await f.person(k, { collegeId: college.id });
    await f.bill(k, { personId: p.personId, periodId: period.id, feeItemId: item.id, due: '1100.00' });

    const res = await fc.agent.get(`/console/reports.csv?by=class&period=${period.id}&item=${item.id}&sort=arrears&dir=desc`);
    expect(res.status).toBe(200);
    const name = decodeURIComponent(/filename\*=UTF-8''([^;]+)/.exec(res.headers['content-disposition']!)![1]!);
    expect(name).toMatch(new RegExp(`^欠费报表-按班级-${period.name}-住宿费（报表）-\\d{4}-\\d{2}-\\d{2}\\.csv$`));
    const lines = res.text.replace(/^\uFEFF/, '').split('\r\n');
    expect(lines.slice(0, 7)).toEqual(['"欠费报表"', '"统计口径","按班级"', `"收费期间","${period.name}"`, '"收费项目","住宿费（报表）"', '"学院","全部"', '"班级","全部"', '"排序","欠费金额 降序"']);
    expect(lines[9]).toBe('"学院","班级","人数","应收金额","减免金额","实缴金额","退费金额","欠费金额","缓缴金额","实际欠费","欠费人数"');

    // Department staff are held to their college: the file says which, whatever they asked.
    const staff = await f.person(k, { password: PASSWORD, role: 'dept_staff', collegeId: college.id });
    const sc = await signedIn(env, staff.number);
    const theirs = await sc.agent.get(`/console/reports.csv?by=college&college=${college.id + 1000}`);
    expect(theirs.text).toContain(`"学院","${college.name}"`);
    expect(decodeURIComponent(theirs.headers['content-disposition']!)).toContain(`欠费报表-按学院-${college.name}-`);
  });
});
