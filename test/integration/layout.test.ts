import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { DEMO } from '../../seeds/demo';
import { connect } from '../../src/db/connection';
import { createApp } from '../../src/app';
import { createLogger } from '../../src/logger';
import { testApp, testConfig } from '../helpers/app';
import { text } from '../helpers/client';
import { testDatabase } from '../helpers/test-db';
import { signedInZhangsan } from '../helpers/users';

const db = await testDatabase({ demo: true });
const app = testApp(db);
const zs = await signedInZhangsan(db.knex, app);

describe('layout', () => {
  it('has the banner, the tabs in 图2’s order, 当前用户 with a masked ID, and 当前位置', async () => {
    const t = text((await zs.get('/fees')).text);
    expect(t).toContain('兰州理工大学 校园统一支付平台');
    expect(t).toContain('当前费用 学费缴费 其他费用 生活缴费 交易查询 报名信息 个人信息 退出登录');
    expect(t).toContain('当前用户>>编号：18201234567890 姓名：张三 性别：男 身份证号：34*****4 部门：计算机学院 班级：18级');
    expect(t).not.toContain('340100198501011234');
    expect(t).toContain('当前位置：欠费信息');
  });

  it('says 暂未开放 on the tabs whose feature is not open', async () => {
    for (const path of ['/life']) {
      const res = await zs.get(path);
      expect(res.status, path).toBe(200);
      expect(text(res.text)).toContain('暂未开放');
    }
  });

  it('renders 404 inside the layout', async () => {
    const res = await zs.get('/no/such/page');
    expect(res.status).toBe(404);
    const t = text(res.text);
    expect(t).toContain('页面不存在');
    expect(t).toContain('当前费用 学费缴费');
  });

  it('renders a 500 inside the layout, with the advice not to pay twice and no internals', async () => {
    await db.knex.raw('ALTER TABLE fee_periods RENAME TO fee_periods_gone');
    try {
      const res = await zs.get('/fees');
      expect(res.status).toBe(500);
      const t = text(res.text);
      expect(t).toContain('系统错误');
      expect(t).toContain('请勿重复缴费');
      expect(t).toContain('校园统一支付平台');
      expect(t).not.toMatch(/fee_periods|relation|stack|Error:/);
    } finally {
      await db.knex.raw('ALTER TABLE fee_periods_gone RENAME TO fee_periods');
    }
  });

  it('sends a CSP that allows no inline script, and the other helmet headers', async () => {
    const res = await request(app).get('/login');
    const csp = res.headers['content-security-policy'] as string;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
    // No page carries an inline script or style attribute.
    for (const page of ['/', '/fees', '/fees?page=abc', '/life', '/nope']) {
      const html = (await zs.get(page)).text;
      expect(html, page).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(html, page).not.toMatch(/\sstyle="/);
      expect(html, page).not.toMatch(/\son[a-z]+="/);
    }
  });

  it('puts a CSRF token in every POST form', async () => {
    for (const page of ['/', '/fees', '/profile/password']) {
      const html = (await zs.get(page)).text;
      const forms = html.match(/<form[^>]*method="post"[\s\S]*?<\/form>/g) ?? [];
      expect(forms.length, page).toBeGreaterThan(0);
      for (const form of forms) expect(form).toMatch(/name="_csrf" value="[^"]+"/);
    }
  });

  it('escapes user data', async () => {
    await db.knex('people').where({ number: DEMO.student.number }).update({ name: '<img src=x>' });
    const html = (await zs.get('/fees')).text;
    expect(html).not.toContain('<img src=x>');
    expect(html).toContain('&lt;img src=x&gt;');
    await db.knex('people').where({ number: DEMO.student.number }).update({ name: DEMO.student.name });
  });
});

describe('/healthz', () => {
  it('answers 200 with the database up', async () => {
    const res = await request(app).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', db: 'ok' });
  });

  it('answers 503 when the database cannot be reached', async () => {
    const dead = await connect({ databaseUrl: 'postgres://postgres@127.0.0.1:1/none', poolMax: 1 });
    const deadApp = createApp({ config: testConfig({ url: 'postgres://postgres@127.0.0.1:1/none' }), db: dead, logger: createLogger('silent') });
    const res = await request(deadApp).get('/healthz');
    expect(res.status).toBe(503);
    expect(res.body.db).not.toBe('ok');
    await dead.close();
  });
});
