// formAction(): a wrong field re-renders with 400 and what was typed; a command's AppError
// re-renders with its code's status and the message beside its field; success redirects (303);
// any other error is not caught. And the one error handler maps an AppError's code once.
import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from '../../src/domain/app-error';
import { labelOf, labels } from '../../src/domain/labels';
import { errorHandler } from '../../src/http/errors';
import { formAction } from '../../src/http/form-route';
import { createLogger } from '../../src/logger';

const schema = z.object({ name: z.string().trim().min(1, '请输入名称') });

function app(run: (name: string) => Promise<string>) {
  const a = express();
  a.use(express.urlencoded({ extended: false }));
  a.post('/things/:id', formAction({
    load: (req) => Number(req.params.id),
    schema,
    keep: ['name'],
    render: (_req, res, f, id) => res.json({ status: f.status, id, values: f.values, errors: f.errors, error: f.error ?? null }),
    run: (d) => run(d.name),
    redirect: (result, _d, id) => `/things/${id}?done=${result}`,
  }));
  a.use(errorHandler(createLogger('silent')));
  return a;
}

describe('formAction', () => {
  it('re-renders a wrong field with 400, keeping only the kept fields, and runs nothing', async () => {
    let ran = false;
    const res = await request(app(async () => ((ran = true), 'x'))).post('/things/7').type('form').send({ name: ' ', secret: 's' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ status: 400, id: 7, values: { name: ' ' }, errors: { name: '请输入名称' }, error: null });
    expect(ran).toBe(false);
  });

  it('shows a refusal beside its field with its code’s status', async () => {
    const res = await request(app(async () => { throw new AppError('invalid', '已有同名的项目', 'name'); })).post('/things/7').type('form').send({ name: '学费' });
    expect(res.body).toEqual({ status: 400, id: 7, values: { name: '学费' }, errors: { name: '已有同名的项目' }, error: '已有同名的项目' });
    const busy = await request(app(async () => { throw new AppError('too_many', '请稍后再试'); })).post('/things/7').type('form').send({ name: '学费' });
    expect(busy.status).toBe(429);
    expect(busy.body.errors).toEqual({ _: '请稍后再试' });
  });

  it('redirects with 303 after the command', async () => {
    const res = await request(app(async (name) => `ok-${name.length}`)).post('/things/7').type('form').send({ name: '学费' });
    expect([res.status, res.headers.location]).toEqual([303, '/things/7?done=ok-2']);
  });

  it('leaves any other error to the error handler (a fault, 500)', async () => {
    const res = await request(app(async () => { throw new Error('db down'); })).post('/things/7').type('form').accept('json').send({ name: '学费' });
    expect(res.status).toBe(500);
  });
});

describe('errorHandler', () => {
  it('answers an AppError with its code’s status and message, as JSON or as the page', async () => {
    const a = express();
    a.get('/x', () => { throw new AppError('not_found', '未找到该订单'); });
    a.use(errorHandler(createLogger('silent')));
    const json = await request(a).get('/x').accept('json');
    expect([json.status, json.body]).toEqual([404, { error: '未找到该订单' }]);
  });
});

describe('labels', () => {
  it('shows an unknown code as stored and nothing as --', () => {
    const l = labelOf({ a: '甲' });
    expect([l('a'), l('b'), l(null), l('')]).toEqual(['甲', 'b', '--', '--']);
    expect(l('toString')).toBe('toString');
  });

  it('keeps the two channel vocabularies apart: 交易银行 names and 支付方式 names', () => {
    expect([labels.channel('icbc'), labels.choice('icbc'), labels.channel('unionpay'), labels.choice('unionpay')]).toEqual(['工商银行', '中国工商银行', '银联在线', '银联支付']);
    expect([labels.paymentMethod('cash'), labels.paymentMethod('wechat'), labels.orderStatus('partly_refunded')]).toEqual(['现金', '微信支付', '部分退款']);
  });
});
