// parse(): control characters refused per field (tabs and line breaks only where a field is
// multi-line), zod's own messages in Chinese, and a schema's own message still first.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CONTROL_MESSAGE, CONTROL_MESSAGE_MULTILINE, parse } from '../../src/http/validate';
import { own } from '../../src/domain/own';

const schema = z.object({ name: z.string().min(1, '请输入姓名'), body: z.string().optional() });

describe('parse', () => {
  it('refuses NUL, C0/C1 control characters and DEL in a field, whatever the schema says', () => {
    for (const bad of ['a\u0000', '\u0001', '\u001b[31m', '\u007f', '\u0085', 'a\tb', 'a\nb']) {
      expect(parse(schema, { name: bad }), JSON.stringify(bad)).toEqual({ ok: false, errors: { name: CONTROL_MESSAGE } });
    }
    expect(parse(schema, { name: '张三 Zhang', body: '' })).toEqual({ ok: true, data: { name: '张三 Zhang', body: '' } });
  });

  it('keeps tabs and line breaks in a multi-line field, but not NUL', () => {
    expect(parse(schema, { name: 'x', body: '第一行\r\n第二行\t完' }, { multiline: ['body'] }).ok).toBe(true);
    expect(parse(schema, { name: 'x', body: 'a\u0000' }, { multiline: ['body'] })).toEqual({ ok: false, errors: { body: CONTROL_MESSAGE_MULTILINE } });
  });

  it('reports the control characters first and the other fields’ own messages beside them', () => {
    expect(parse(schema, { name: '', body: 'a\u0000' })).toEqual({ ok: false, errors: { body: CONTROL_MESSAGE, name: '请输入姓名' } });
  });

  it("gives zod's own messages in Chinese, and a schema's message wins", () => {
    const r = parse(z.object({ kind: z.enum(['a', 'b']), code: z.string().regex(/^\d+$/), n: z.string().max(2, '太长') }), { kind: 'c', code: 'x', n: 'xyz' });
    expect(r.ok).toBe(false);
    const errors = (r as { errors: Record<string, string> }).errors;
    expect(errors.n).toBe('太长');
    for (const m of [errors.kind, errors.code]) expect(m).toMatch(/[\u4e00-\u9fff]/);
    expect(Object.values(errors).join(' ')).not.toMatch(/Invalid|Expected|must/);
  });
});

describe('own', () => {
  it('finds only a record’s own keys', () => {
    const labels: Record<string, string> = { wechat: '微信支付' };
    expect(own(labels, 'wechat')).toBe('微信支付');
    for (const k of ['toString', '__proto__', 'constructor', 'hasOwnProperty', 'valueOf']) expect(own(labels, k), k).toBeUndefined();
  });
});
